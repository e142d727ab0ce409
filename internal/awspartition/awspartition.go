// Package awspartition holds the partitions of aws-sdk-go-v2's endpoint rules (its
// internal/endpoints/awsrulesfn/partitions.json, which the SDK keeps internal), copied as data: each
// partition's ID, the pattern of its region codes, and the DNS suffixes of its endpoints. A test
// compares them with the SDK in the module cache.
package awspartition

import (
	"regexp"
	"strings"
)

// Partition is one partition of the SDK's endpoint rules.
type Partition struct {
	ID          string         // e.g. "aws-cn"
	RegionRegex *regexp.Regexp // the region codes of the partition
	// DNSSuffix and DualStackDNSSuffix end the host names of the partition's endpoints
	// ("amazonaws.com.cn", "api.amazonwebservices.com.cn").
	DNSSuffix, DualStackDNSSuffix string
}

// All are the SDK's partitions, in its order.
var All = []Partition{
	{"aws", regexp.MustCompile(`^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$`), "amazonaws.com", "api.aws"},
	{"aws-cn", regexp.MustCompile(`^cn\-\w+\-\d+$`), "amazonaws.com.cn", "api.amazonwebservices.com.cn"},
	{"aws-eusc", regexp.MustCompile(`^eusc\-(de)\-\w+\-\d+$`), "amazonaws.eu", "api.amazonwebservices.eu"},
	{"aws-iso", regexp.MustCompile(`^us\-iso\-\w+\-\d+$`), "c2s.ic.gov", "api.aws.ic.gov"},
	{"aws-iso-b", regexp.MustCompile(`^us\-isob\-\w+\-\d+$`), "sc2s.sgov.gov", "api.aws.scloud"},
	{"aws-iso-e", regexp.MustCompile(`^eu\-isoe\-\w+\-\d+$`), "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk"},
	{"aws-iso-f", regexp.MustCompile(`^us\-isof\-\w+\-\d+$`), "csp.hci.ic.gov", "api.aws.hci.ic.gov"},
	{"aws-us-gov", regexp.MustCompile(`^us\-gov\-\w+\-\d+$`), "amazonaws.com", "api.aws"},
}

// Of returns the ID of the partition whose region pattern matches region, and "aws" when none
// does: the SDK resolves such a region's endpoints in the aws partition too.
func Of(region string) string {
	for _, p := range All {
		if p.RegionRegex.MatchString(region) {
			return p.ID
		}
	}
	return "aws"
}

// AWSHost reports whether host is one of AWS's own endpoint host names in any partition (its DNS
// suffix, or its dual-stack one), rather than a custom endpoint's.
func AWSHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	for _, p := range All {
		if strings.HasSuffix(host, "."+p.DNSSuffix) || strings.HasSuffix(host, "."+p.DualStackDNSSuffix) {
			return true
		}
	}
	return false
}
