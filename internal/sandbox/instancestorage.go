package sandbox

import "cmp"

// The provisioned performance of a standalone RDS for PostgreSQL instance's storage: io1 and io2
// volumes have Provisioned IOPS (Iops); gp3 includes 3,000 IOPS and 125 MiB/s below 400 GiB (which
// cannot be changed) and 12,000 IOPS and 500 MiB/s from 400 GiB, where Iops (12,000–64,000, at
// most 500 per GiB) and StorageThroughput (500–4,000 MiB/s) can raise them; gp2 and magnetic
// (standard) take neither. DescribeDBInstances reports Iops for io1, io2 and gp3 and
// StorageThroughput for gp3, the included values when none were provisioned.

// maxGP3ThroughputMiBps is the most throughput an RDS for PostgreSQL gp3 volume provisions.
const maxGP3ThroughputMiBps = 4000

// checkInstanceStorage checks a standalone instance's storage as RDS does: the type (gp2, gp3,
// io1, io2 or standard), its size (20–65536 GiB; 100 and up for io1 and io2, at most 3072 for
// magnetic), its Iops (as a Multi-AZ DB cluster's: required for io1 and io2, for gp3 only from
// 400 GiB; none for gp2 and standard) and its StorageThroughput (gp3 from 400 GiB only, 500–4000
// MiB/s). 0 means not given. A misplaced parameter is InvalidParameterCombination, a value out of
// range InvalidParameterValue.
func checkInstanceStorage(storage string, alloc, iops, throughput int32) *rdsError {
	switch storage {
	case "gp3", "io1", "io2":
		if e := checkMultiAZStorage(storage, alloc, iops); e != nil {
			return e
		}
	case "gp2", "standard":
		maxAlloc := int32(65536)
		if storage == "standard" {
			maxAlloc = 3072
		}
		if alloc < 20 || alloc > maxAlloc {
			return errParam("Invalid storage size for engine name postgres and storage type %s: %d (20–%d GiB).", storage, alloc, maxAlloc)
		}
		if iops != 0 {
			return errCombo("You can't specify IOPS for storage type %s.", storage)
		}
	default:
		return errParam("Invalid storage type: %s (RDS for PostgreSQL instances take gp2, gp3, io1, io2 or standard).", storage)
	}
	switch {
	case throughput == 0:
	case storage != "gp3":
		return errCombo("You can't specify storage throughput for storage type %s (gp3 only).", storage)
	case alloc < gp3LargeVolumeGiB:
		return errCombo("You can't specify IOPS or storage throughput for engine postgres and a storage size less than %d.", gp3LargeVolumeGiB)
	case throughput < 500 || throughput > maxGP3ThroughputMiBps:
		return errParam("Invalid storage throughput %d MiB/s for gp3 and %d GiB: it must be 500–%d.", throughput, alloc, maxGP3ThroughputMiBps)
	}
	return nil
}

// storagePerformance is what a standalone instance reports of its provisioned performance: Iops
// (io1, io2; gp3's provisioned or included) and StorageThroughput (gp3's provisioned or included);
// nil where the type has none.
func (in *dbInstance) storagePerformance() (iops, throughput *int32) {
	switch in.StorageType {
	case "io1", "io2":
		if in.Iops > 0 {
			v := in.Iops
			return &v, nil
		}
	case "gp3":
		i, t := int32(3000), int32(125)
		if in.Allocated >= gp3LargeVolumeGiB {
			i, t = 12000, 500
		}
		i, t = cmp.Or(in.Iops, i), cmp.Or(in.Throughput, t)
		return &i, &t
	}
	return nil, nil
}
