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
// magnetic), its Iops (required for io1 and io2: 1000–256000, and 0.5–50 per GiB for io1, 0.5–1000
// for io2 Block Express; for gp3 only from 400 GiB, 12000–64000 and at most 500 per GiB; none for
// gp2 and standard) and its StorageThroughput (gp3 from 400 GiB only, 500–4000 MiB/s). 0 means not
// given. A misplaced parameter is InvalidParameterCombination, a value out of range
// InvalidParameterValue.
func checkInstanceStorage(storage string, alloc, iops, throughput int32) *rdsError {
	minAlloc, maxAlloc := int32(20), int32(65536)
	switch storage {
	case "gp2", "gp3":
	case "io1", "io2":
		minAlloc = 100
	case "standard":
		maxAlloc = 3072
	default:
		return errParam("Invalid storage type: %s (RDS for PostgreSQL instances take gp2, gp3, io1, io2 or standard).", storage)
	}
	if alloc < minAlloc || alloc > maxAlloc {
		return errParam("Invalid storage size for engine name postgres and storage type %s: %d (%d–%d GiB).", storage, alloc, minAlloc, maxAlloc)
	}
	perGiB := int32(50)
	if storage == "io2" {
		perGiB = 1000
	}
	switch {
	case (storage == "io1" || storage == "io2") && iops == 0:
		return errCombo("Iops is required for storage type %s.", storage)
	case (storage == "io1" || storage == "io2") && (iops < 1000 || iops > 256000 || 2*iops < alloc || iops > perGiB*alloc):
		return errParam("Invalid IOPS %d for storage type %s and %d GiB: it must be 1000–256000 and 0.5–%d times the allocated storage.", iops, storage, alloc, perGiB)
	case (storage == "gp2" || storage == "standard") && iops != 0:
		return errCombo("You can't specify IOPS for storage type %s.", storage)
	case storage == "gp3" && iops != 0 && alloc < gp3LargeVolumeGiB:
		return errCombo("You can't specify IOPS or storage throughput for engine postgres and a storage size less than %d.", gp3LargeVolumeGiB)
	case storage == "gp3" && iops != 0 && (iops < 12000 || iops > 64000 || iops > 500*alloc):
		return errParam("Invalid IOPS %d for storage type gp3 and %d GiB: it must be 12000–64000 and at most 500 per GiB.", iops, alloc)
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

// instanceStorageType is the storage type of a standalone instance CreateDBInstance (or
// RestoreDBInstanceFromDBSnapshot) creates when the request names none: io1 when it gives Iops,
// gp3 otherwise (the API reference's default).
func instanceStorageType(given string, iops int32) string {
	switch {
	case given != "":
		return given
	case iops > 0:
		return "io1"
	}
	return "gp3"
}

// storagePerformance is what a standalone instance reports of its provisioned performance: Iops
// (io1, io2; gp3's provisioned or included) and StorageThroughput (gp3's provisioned or included);
// nil where the type has none.
func (in *dbInstance) storagePerformance() (iops, throughput *int32) {
	return storagePerformance(in.StorageType, in.Allocated, in.Iops, in.Throughput)
}

// storagePerformance is what RDS reports of the provisioned performance of a volume of type
// storage and alloc GiB with iops and throughput provisioned (0: none), for a DB instance or a DB
// snapshot of one.
func storagePerformance(storage string, alloc, iops, throughput int32) (*int32, *int32) {
	switch storage {
	case "io1", "io2":
		if iops > 0 {
			return &iops, nil
		}
	case "gp3":
		i, t := int32(3000), int32(125)
		if alloc >= gp3LargeVolumeGiB {
			i, t = 12000, 500
		}
		i, t = cmp.Or(iops, i), cmp.Or(throughput, t)
		return &i, &t
	}
	return nil, nil
}

// checkMaxAllocated checks a standalone instance's storage autoscaling limit (MaxAllocatedStorage,
// GiB; 0 turns autoscaling off) against its allocated storage, as RDS does: at least 10% more than
// the allocated storage ("Invalid max storage size") and at most 65536 GiB.
func checkMaxAllocated(maxAlloc, alloc int32) *rdsError {
	if maxAlloc == 0 {
		return nil
	}
	if maxAlloc < 0 || maxAlloc > 65536 || int64(maxAlloc)*10 < int64(alloc)*11 {
		return errParam("Invalid max storage size for engine name postgres: %d GiB (MaxAllocatedStorage must be at least 10%% more than the allocated storage, %d GiB, and at most 65536).", maxAlloc, alloc)
	}
	return nil
}
