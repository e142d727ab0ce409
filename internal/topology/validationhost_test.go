package topology

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/sandbox"
)

func TestValidationHostMismatch(t *testing.T) {
	inst := &Topology{Target: Target{KindInstance, "mandible-prod"},
		Instance: &rdstypes.DBInstance{Endpoint: &rdstypes.Endpoint{Address: aws.String("mandible-prod.abc123xyz.us-east-1.rds.amazonaws.com")}}}
	clu := &Topology{Target: Target{KindCluster, "sso-prod"},
		Members: []Member{{Identifier: "sso-prod-instance-1", Writer: true}, {Identifier: "sso-prod-instance-2"}},
		Cluster: &rdstypes.DBCluster{Endpoint: aws.String("sso-prod.cluster-abc123xyz.us-east-1.rds.amazonaws.com"),
			ReaderEndpoint: aws.String("sso-prod.cluster-ro-abc123xyz.us-east-1.rds.amazonaws.com")}}
	instCN := &Topology{Target: inst.Target,
		Instance: &rdstypes.DBInstance{Endpoint: &rdstypes.Endpoint{Address: aws.String("mandible-prod.c1abc2def3gh.rds.cn-north-1.amazonaws.com.cn")}}}
	cluCN := &Topology{Target: clu.Target, Members: clu.Members,
		Cluster: &rdstypes.DBCluster{Endpoint: aws.String("sso-prod.cluster-c1abc2def3gh.rds.cn-northwest-1.amazonaws.com.cn"),
			ReaderEndpoint: aws.String("sso-prod.cluster-ro-c1abc2def3gh.rds.cn-northwest-1.amazonaws.com.cn")}}
	for _, c := range []struct {
		name, host string
		topo       *Topology
		want       string // "" for a match; else a substring of the refusal
	}{
		{"own instance endpoint", "mandible-prod.abc123xyz.us-east-1.rds.amazonaws.com", inst, ""},
		{"case and trailing dot", "Mandible-Prod.ABC123XYZ.us-east-1.rds.amazonaws.com.", inst, ""},
		{"instance endpoint not described", "mandible-prod.zzz.us-east-1.rds.amazonaws.com", &Topology{Target: inst.Target}, ""},
		{"another instance", "sso-db.abc123xyz.us-east-1.rds.amazonaws.com", inst, "an endpoint of DB instance sso-db, not of DB instance mandible-prod"},
		{"a cluster endpoint for an instance", "mandible-prod.cluster-abc123xyz.us-east-1.rds.amazonaws.com", inst, "an endpoint of DB cluster mandible-prod"},
		{"the instance's endpoint named", "x.abc123xyz.us-east-1.rds.amazonaws.com", inst, "whose postgres host is mandible-prod.abc123xyz.us-east-1.rds.amazonaws.com"},
		{"cluster writer endpoint", "sso-prod.cluster-abc123xyz.us-east-1.rds.amazonaws.com", clu, ""},
		{"cluster reader endpoint", "sso-prod.cluster-ro-abc123xyz.us-east-1.rds.amazonaws.com", clu, ""},
		{"member instance endpoint", "sso-prod-instance-1.abc123xyz.us-east-1.rds.amazonaws.com", clu, ""},
		{"another cluster", "chat.cluster-abc123xyz.us-east-1.rds.amazonaws.com", clu, "an endpoint of DB cluster chat, not of DB cluster sso-prod"},
		{"another instance for a cluster", "mandible-prod.abc123xyz.us-east-1.rds.amazonaws.com", clu, "whose postgres host is sso-prod.cluster-abc123xyz"},
		{"China partition", "other.abc.cn-north-1.rds.amazonaws.com.cn", inst, "DB instance other"},
		{"custom endpoint: cannot tell", "analytics.cluster-custom-abc123xyz.us-east-1.rds.amazonaws.com", clu, ""},
		{"proxy: cannot tell", "chat-proxy.proxy-abc123xyz.us-east-1.rds.amazonaws.com", inst, ""},
		{"IP address: cannot tell", "10.0.3.7", inst, ""},
		{"tunnel: cannot tell", "localhost", clu, ""},
		{"private alias: cannot tell", "db.internal.example.com", inst, ""},
		{"too few labels", "rds.amazonaws.com", inst, ""},
		{"proxy additional endpoint: cannot tell", "rw-ep.endpoint.proxy-abc123xyz.us-east-1.rds.amazonaws.com", inst, ""},
		{"Aurora global endpoint: cannot tell", "x.global-abc123xyz.global.rds.amazonaws.com", clu, ""},
		{"shard group: cannot tell", "sg.shardgrp-abc123xyz.us-east-1.rds.amazonaws.com", clu, ""},

		// Every form of RDS endpoint name AWS's drivers recognise (aws-advanced-go-wrapper
		// rds_utils.go), in every partition: the target's own endpoints pass, another database's
		// instance, cluster and reader endpoints are refused, custom and proxy endpoints cannot tell.
		// China, current form: <name>.<id>.rds.<region>.amazonaws.com.cn
		{"China: own instance endpoint", "mandible-prod.c1abc2def3gh.rds.cn-north-1.amazonaws.com.cn", instCN, ""},
		{"China: own instance endpoint not described", "mandible-prod.zzz.rds.cn-north-1.amazonaws.com.cn", &Topology{Target: inst.Target}, ""},
		{"China: another instance", "sso-db.c1abc2def3gh.rds.cn-north-1.amazonaws.com.cn", instCN, "an endpoint of DB instance sso-db, not of DB instance mandible-prod"},
		{"China: a cluster endpoint for an instance", "chat.cluster-c1abc2def3gh.rds.cn-north-1.amazonaws.com.cn", instCN, "an endpoint of DB cluster chat"},
		{"China: the instance's endpoint named", "x.c1abc2def3gh.rds.cn-north-1.amazonaws.com.cn", instCN, "whose postgres host is mandible-prod.c1abc2def3gh.rds.cn-north-1.amazonaws.com.cn"},
		{"China: cluster writer endpoint", "sso-prod.cluster-c1abc2def3gh.rds.cn-northwest-1.amazonaws.com.cn", cluCN, ""},
		{"China: cluster reader endpoint", "sso-prod.cluster-ro-c1abc2def3gh.rds.cn-northwest-1.amazonaws.com.cn", cluCN, ""},
		{"China: member instance endpoint", "sso-prod-instance-2.c1abc2def3gh.rds.cn-northwest-1.amazonaws.com.cn", cluCN, ""},
		{"China: another cluster", "chat.cluster-c1abc2def3gh.rds.cn-northwest-1.amazonaws.com.cn", cluCN, "an endpoint of DB cluster chat, not of DB cluster sso-prod"},
		{"China: another cluster's reader", "chat.cluster-ro-c1abc2def3gh.rds.cn-northwest-1.amazonaws.com.cn", cluCN, "an endpoint of DB cluster chat"},
		{"China: another instance for a cluster", "mandible-prod.c1abc2def3gh.rds.cn-northwest-1.amazonaws.com.cn", cluCN, "whose postgres host is sso-prod.cluster-c1abc2def3gh.rds.cn-northwest-1.amazonaws.com.cn"},
		{"China: custom endpoint: cannot tell", "analytics.cluster-custom-c1abc2def3gh.rds.cn-northwest-1.amazonaws.com.cn", cluCN, ""},
		{"China: proxy: cannot tell", "chat-proxy.proxy-c1abc2def3gh.rds.cn-north-1.amazonaws.com.cn", instCN, ""},
		{"China: proxy additional endpoint: cannot tell", "ro.endpoint.proxy-c1abc2def3gh.rds.cn-north-1.amazonaws.com.cn", instCN, ""},
		{"China: shard group: cannot tell", "sg.shardgrp-c1abc2def3gh.rds.cn-northwest-1.amazonaws.com.cn", cluCN, ""},
		// China, older form: <name>.<id>.<region>.rds.amazonaws.com.cn
		{"China, older form: own instance endpoint", "mandible-prod.c1abc2def3gh.cn-north-1.rds.amazonaws.com.cn", instCN, ""},
		{"China, older form: another cluster's reader", "chat.cluster-ro-c1abc2def3gh.cn-northwest-1.rds.amazonaws.com.cn", cluCN, "an endpoint of DB cluster chat"},
		{"China, older form: own cluster reader", "sso-prod.cluster-ro-c1abc2def3gh.cn-northwest-1.rds.amazonaws.com.cn", cluCN, ""},
		// GovCloud: <name>.<id>.rds.<region>.amazonaws.com, and the commercial order
		{"GovCloud: own instance endpoint", "mandible-prod.abc123xyz.rds.us-gov-west-1.amazonaws.com", inst, ""},
		{"GovCloud: another instance", "sso-db.abc123xyz.rds.us-gov-west-1.amazonaws.com", inst, "an endpoint of DB instance sso-db"},
		{"GovCloud: own cluster writer", "sso-prod.cluster-abc123xyz.rds.us-gov-east-1.amazonaws.com", clu, ""},
		{"GovCloud: another cluster", "chat.cluster-abc123xyz.rds.us-gov-east-1.amazonaws.com", clu, "an endpoint of DB cluster chat"},
		{"GovCloud: proxy: cannot tell", "p.proxy-abc123xyz.rds.us-gov-west-1.amazonaws.com", inst, ""},
		{"GovCloud, commercial order: another instance", "sso-db.abc123xyz.us-gov-west-1.rds.amazonaws.com", inst, "an endpoint of DB instance sso-db"},
		{"FIPS: another instance", "sso-db.abc123xyz.rds-fips.us-gov-west-1.amazonaws.com", inst, "an endpoint of DB instance sso-db"},
		{"FIPS: own reader", "sso-prod.cluster-ro-abc123xyz.us-east-1.rds-fips.amazonaws.com", clu, ""},
		// European Sovereign Cloud (aws-eusc, amazonaws.eu)
		{"EUSC: own instance endpoint", "mandible-prod.abc123xyz.eusc-de-east-1.rds.amazonaws.eu", inst, ""},
		{"EUSC: another instance", "sso-db.abc123xyz.eusc-de-east-1.rds.amazonaws.eu", inst, "an endpoint of DB instance sso-db"},
		{"EUSC: another cluster, rds.<region> order", "chat.cluster-abc123xyz.rds.eusc-de-east-1.amazonaws.eu", clu, "an endpoint of DB cluster chat"},
		{"EUSC: own cluster reader", "sso-prod.cluster-ro-abc123xyz.eusc-de-east-1.rds.amazonaws.eu", clu, ""},
		{"EUSC: custom endpoint: cannot tell", "analytics.cluster-custom-abc123xyz.eusc-de-east-1.rds.amazonaws.eu", clu, ""},
		// ISO partitions
		{"ISO: another instance", "sso-db.abc123xyz.rds.us-iso-east-1.c2s.ic.gov", inst, "an endpoint of DB instance sso-db"},
		{"ISO-B: own member", "sso-prod-instance-1.abc123xyz.rds.us-isob-east-1.sc2s.sgov.gov", clu, ""},
		{"ISO-B: another cluster", "chat.cluster-abc123xyz.rds.us-isob-east-1.sc2s.sgov.gov", clu, "an endpoint of DB cluster chat"},
		// Not RDS endpoint names: never refused.
		{"China API endpoint", "rds.cn-north-1.amazonaws.com.cn", inst, ""},
		{"China, too few labels", "c1abc2def3gh.rds.cn-north-1.amazonaws.com.cn", inst, ""},
		{"RDS-like name under another domain", "sso-db.abc123xyz.us-east-1.rds.amazonaws.com.example.net", inst, ""},
		{"rds label in a private zone", "sso-db.abc123xyz.rds.us-east-1.internal.example", inst, ""},
		{"load balancer", "db-nlb-0123abcd.elb.us-east-1.amazonaws.com", inst, ""},
		{"China load balancer", "db-nlb-0123abcd.elb.cn-north-1.amazonaws.com.cn", inst, ""},
		{"IPv6 address", "fd00::7", inst, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ValidationHostMismatch(c.topo, c.host)
			if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
				t.Fatalf("ValidationHostMismatch(%q) = %q, want %q", c.host, got, c.want)
			}
		})
	}
}

// A validation that would connect to another database's endpoint refuses the change before
// anything is created, in the plan's preview and in the run; the target's own endpoint passes.
func TestValidationHostIsChecked(t *testing.T) {
	e := newEnv(t, sandbox.Demo())
	dsn, schema := seedSchema(t)
	ctx := context.Background()
	mandibleHost := "mandible-prod.c1sandbox0.us-east-1.rds.amazonaws.com"
	req := Request{Target: sso, Nodes: 1, Generation: 1, Validator: newPGValidator(dsn, schema, false), ValidationHost: mandibleHost}
	p, err := e.o.Preview(ctx, req)
	if err != nil || !strings.Contains(p.Refusal, "validation connects to "+mandibleHost) {
		t.Fatalf("preview %+v %v", p, err)
	}
	seq := e.lastSeq()
	_, err = e.o.Run(ctx, req)
	var pe *PrecheckError
	if !errors.As(err, &pe) || pe.Reason != ReasonValidationTarget {
		t.Fatalf("want a %s refusal, got %v", ReasonValidationTarget, err)
	}
	for _, op := range []string{"CreateDBClusterSnapshot", "DeleteDBInstance"} {
		if c := e.callsSince(op, seq); len(c) > 0 {
			t.Fatalf("%s called: %v", op, c[0].Params)
		}
	}
	topo := e.topology(sso)
	req.ValidationHost = deref(topo.Cluster.Endpoint)
	if res, err := e.o.Run(ctx, req); err != nil || res.Nodes != 1 {
		t.Fatalf("through the cluster endpoint: %+v %v", res, err)
	}
}
