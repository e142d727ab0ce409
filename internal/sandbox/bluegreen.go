package sandbox

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// RDS Blue/Green Deployments. CreateBlueGreenDeployment copies a blue database, a standalone
// PostgreSQL DB instance or an Aurora PostgreSQL DB cluster, into a green environment made of real
// resources of the state: a DB instance "<id>-green-<suffix>", or a DB cluster "<id>-green-<suffix>"
// with one green instance "<member>-green-<suffix>" per member in the same role and promotion tier.
// They are created through createDBInstance and createDBCluster, so they turn available on the
// clock, get metrics and can be modified like any created resource. A deployment's status and its
// switchover details are computed from the current state on every call, as proxy targets are:
// PROVISIONING while a green resource is being created, AVAILABLE after (modifying a green instance,
// the point of the exercise, does not change it), INVALID_CONFIGURATION when a blue or green
// database has gone (its pair shows MISSING_SOURCE or MISSING_TARGET), and DELETING from
// DeleteBlueGreenDeployment until settle removes the deployment. SwitchoverBlueGreenDeployment is
// not emulated, so no deployment ever reaches SWITCHOVER_COMPLETED.

// blueGreenDeployment is one blue/green deployment.
type blueGreenDeployment struct {
	ID      string    `json:"id"`                // bgd-<16 lower-case alphanumerics>
	Name    string    `json:"name"`              // BlueGreenDeploymentName, as given
	Order   uint64    `json:"order"`             // creation ordinal: describes list deployments by it
	Cluster bool      `json:"cluster,omitempty"` // Source and Target are DB clusters, not DB instances
	Source  string    `json:"source"`            // the blue DB instance or cluster identifier
	Target  string    `json:"target"`            // its green copy
	Members []bgPair  `json:"members,omitempty"` // an Aurora source's members and their green copies, writer first
	Created time.Time `json:"created"`
	Tags    []tag     `json:"tags,omitempty"`
	// Deleting is when DeleteBlueGreenDeployment was called (nil before); DeleteTarget its
	// parameter.
	Deleting     *time.Time `json:"deleting,omitempty"`
	DeleteTarget bool       `json:"deleteTarget,omitempty"`
}

// bgPair is a blue DB instance and its green copy, by identifier.
type bgPair struct {
	Source string `json:"source"`
	Target string `json:"target"`
}

// Statuses of a deployment and of its switchover details (types.BlueGreenDeployment.Status,
// types.SwitchoverDetail.Status).
const (
	bgProvisioning = "PROVISIONING"
	bgAvailable    = "AVAILABLE"
	bgInvalid      = "INVALID_CONFIGURATION"
	bgDeleting     = "DELETING"
	bgMissingBlue  = "MISSING_SOURCE"
	bgMissingGreen = "MISSING_TARGET"
)

type xSwitchoverDetail struct {
	SourceMember string `xml:"SourceMember"`
	TargetMember string `xml:"TargetMember"`
	Status       string `xml:"Status"`
}

type xBlueGreenDeployment struct {
	BlueGreenDeploymentIdentifier string              `xml:"BlueGreenDeploymentIdentifier"`
	BlueGreenDeploymentName       string              `xml:"BlueGreenDeploymentName"`
	Source                        string              `xml:"Source"`
	Target                        string              `xml:"Target"`
	SwitchoverDetails             []xSwitchoverDetail `xml:"SwitchoverDetails>member"`
	Status                        string              `xml:"Status"`
	CreateTime                    string              `xml:"CreateTime,omitempty"`
	DeleteTime                    string              `xml:"DeleteTime,omitempty"`
	TagList                       []xTag              `xml:"TagList>Tag"`
}

type xBlueGreenDeploymentResult struct {
	BlueGreenDeployment xBlueGreenDeployment `xml:"BlueGreenDeployment"`
}

type xDescribeBlueGreenDeploymentsResult struct {
	Marker               string                 `xml:"Marker,omitempty"`
	BlueGreenDeployments []xBlueGreenDeployment `xml:"BlueGreenDeployments>member"`
}

func errBlueGreenNotFound(id string) *rdsError {
	return errf(404, "BlueGreenDeploymentNotFoundFault", "BlueGreenDeploymentIdentifier %s doesn't refer to an existing blue/green deployment.", id)
}

func errBlueGreenState(format string, a ...any) *rdsError {
	return errf(400, "InvalidBlueGreenDeploymentStateFault", format, a...)
}

// blueGreen returns the deployment the request's BlueGreenDeploymentIdentifier names (identifier
// or ARN, any case).
func (st *rdsState) blueGreen(f url.Values) (*blueGreenDeployment, *rdsError) {
	id := strings.ToLower(idFromARN(f.Get("BlueGreenDeploymentIdentifier")))
	d, ok := st.BlueGreen[id]
	if !ok {
		return nil, errBlueGreenNotFound(id)
	}
	return d, nil
}

// blueGreenOf returns the deployment whose blue or green database is the DB cluster (cluster) or
// DB instance id, or nil.
func (st *rdsState) blueGreenOf(cluster bool, id string) *blueGreenDeployment {
	for _, d := range st.BlueGreen {
		if d.Cluster == cluster && (d.Source == id || d.Target == id) {
			return d
		}
	}
	return nil
}

// alnumDigits are the characters of the generated parts of blue/green names and identifiers.
const alnumDigits = "0123456789abcdefghijklmnopqrstuvwxyz"

// uniqueAlnum is a deterministic, unique string of n (at most 24) lower-case alphanumerics, made
// from uniqueHash(id).
func (st *rdsState) uniqueAlnum(id string, n int) string {
	h, h2 := st.uniqueHash(id)
	b := make([]byte, n)
	for i := range b {
		if i == 12 { // 36^12 < 2^64 < 36^13: h has given all its digits
			h = h2
		}
		b[i] = alnumDigits[h%36]
		h /= 36
	}
	return string(b)
}

// greenName is the name of the green copy of the database id: "<id>-green-<suffix>", id shortened
// (and stripped of a trailing hyphen) when needed to keep within the 63 characters of an identifier.
func greenName(id, suffix string) string {
	const infix = "-green-"
	base := id[:min(len(id), 63-len(infix)-len(suffix))]
	return strings.TrimRight(base, "-") + infix + suffix
}

// greenSuffix draws the suffix of a new green environment copying the databases ids: one with which
// no green name is already a DB instance or cluster identifier.
func (st *rdsState) greenSuffix(ids []string) string {
	for {
		s := st.uniqueAlnum("green:"+ids[0], 6)
		if !slices.ContainsFunc(ids, func(id string) bool {
			n := greenName(id, s)
			return st.Instances[n] != nil || st.Clusters[n] != nil
		}) {
			return s
		}
	}
}

// blueGreenSource resolves a CreateBlueGreenDeployment Source, the ARN of a DB instance or DB
// cluster, to the database it names: it must exist, be a standalone PostgreSQL DB instance or an
// Aurora PostgreSQL DB cluster, be the blue or green database of no other deployment and be
// available, every member of a cluster included.
func (st *rdsState) blueGreenSource(arn string) (cluster bool, id string, e *rdsError) {
	parts := strings.Split(arn, ":")
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "rds" || (parts[5] != "db" && parts[5] != "cluster") {
		return false, "", errParam("The parameter Source must be the ARN of a DB instance or a DB cluster, not %q.", arn)
	}
	cluster, id = parts[5] == "cluster", strings.ToLower(parts[6])
	here := parts[3] == st.Region && parts[4] == st.Account // an ARN of another Region or account names nothing here
	// AWS allows one blue/green deployment per database. Of the operation's modelled faults,
	// BlueGreenDeploymentAlreadyExistsFault is the one that says so: the database is in the
	// available state (an InvalidDB*State fault would point at its status) and is supported; what
	// is in the way is the deployment that already exists for it.
	inUse := func() *rdsError {
		if d := st.blueGreenOf(cluster, id); d != nil {
			return errf(400, "BlueGreenDeploymentAlreadyExistsFault", "%s is already part of blue/green deployment %s (%s).", arn, d.ID, d.Name)
		}
		return nil
	}
	if cluster {
		c, ok := st.Clusters[id]
		if !ok || !here {
			return true, "", errClusterNotFound(id)
		}
		if c.Engine != "aurora-postgresql" {
			return true, "", errf(400, "SourceClusterNotSupportedFault", "DB cluster %s (engine %s) isn't supported for a blue/green deployment: the sandbox emulates Aurora PostgreSQL ones.", id, c.Engine)
		}
		if e := inUse(); e != nil {
			return true, "", e
		}
		if c.Status != "available" {
			return true, "", errf(400, "InvalidDBClusterStateFault", "DB cluster %s is not in the available state (status %s).", id, c.Status)
		}
		for _, m := range st.members(id) {
			if m.Status != "available" {
				return true, "", errf(400, "InvalidDBClusterStateFault", "DB instance %s of DB cluster %s is not in the available state (status %s).", m.ID, id, m.Status)
			}
		}
		return true, id, nil
	}
	in, ok := st.Instances[id]
	if !ok || !here {
		return false, "", errInstanceNotFound(id)
	}
	if in.Cluster != "" {
		return false, "", errf(400, "SourceDatabaseNotSupportedFault", "DB instance %s is a member of DB cluster %s: use the cluster's ARN as the source.", id, in.Cluster)
	}
	if in.Engine != "postgres" {
		return false, "", errf(400, "SourceDatabaseNotSupportedFault", "DB instance %s (engine %s) isn't supported for a blue/green deployment: the sandbox emulates PostgreSQL ones.", id, in.Engine)
	}
	if e := inUse(); e != nil {
		return false, "", e
	}
	if in.Status != "available" {
		return false, "", errf(400, "InvalidDBInstanceState", "DB instance %s is not in the available state (status %s).", id, in.Status)
	}
	return false, id, nil
}

// copySettings gives the green instance in the settings of its blue instance that createDBInstance
// takes no parameter for.
func copySettings(in, blue *dbInstance) {
	in.MaintenanceWindow, in.BackupWindow = blue.MaintenanceWindow, blue.BackupWindow
	in.PI, in.Monitoring, in.Tags, in.Lifecycle = blue.PI, blue.Monitoring, slices.Clone(blue.Tags), blue.Lifecycle
}

// createBlueGreenDeployment validates the name (unique, case-insensitively) and the Source, creates
// the green environment and records the deployment, PROVISIONING until the green resources are
// available.
func (st *rdsState) createBlueGreenDeployment(f url.Values, now time.Time) (any, *rdsError) {
	name := f.Get("BlueGreenDeploymentName")
	if len(name) > 60 || !validID(strings.ToLower(name)) {
		return nil, errParam("The parameter BlueGreenDeploymentName is not a valid name: it must have 1 to 60 ASCII letters, digits and hyphens, begin with a letter, and must not end with a hyphen or contain two consecutive hyphens.")
	}
	for _, d := range st.BlueGreen {
		if strings.EqualFold(d.Name, name) {
			return nil, errf(400, "BlueGreenDeploymentAlreadyExistsFault", "A blue/green deployment named %s already exists (%s).", name, d.ID)
		}
	}
	cluster, src, e := st.blueGreenSource(f.Get("Source"))
	if e != nil {
		return nil, e
	}
	version := f.Get("TargetEngineVersion")
	d := &blueGreenDeployment{Name: name, Cluster: cluster, Source: src, Created: now, Tags: formTags(f)}
	if cluster {
		for _, p := range []string{"TargetDBInstanceClass", "TargetAllocatedStorage", "TargetStorageType", "TargetIops", "TargetStorageThroughput"} {
			if f.Get(p) != "" {
				return nil, errCombo("%s doesn't apply to an Aurora blue/green deployment: modify the green DB instances instead.", p)
			}
		}
		if e := st.createGreenCluster(d, version, now); e != nil {
			return nil, e
		}
	} else if e := st.createGreenInstance(d, f, version, now); e != nil {
		return nil, e
	}
	if st.BlueGreen == nil { // a state file written before the sandbox had blue/green deployments
		st.BlueGreen = map[string]*blueGreenDeployment{}
	}
	d.ID = "bgd-" + st.uniqueAlnum(name, 16)
	d.Order = st.Seq
	st.BlueGreen[d.ID] = d
	st.event("blue-green-deployment", d.ID, st.arn("deployment", d.ID), "Blue/green deployment creation started.", now, "creation")
	return xBlueGreenDeploymentResult{BlueGreenDeployment: st.xBlueGreen(d)}, nil
}

// createGreenInstance creates the green copy of d's blue DB instance, with the class, engine
// version, storage size, type, provisioned IOPS and throughput the request's Target* parameters
// give (the blue instance's otherwise; its IOPS and throughput only while the type stays), and
// records it as d's target.
func (st *rdsState) createGreenInstance(d *blueGreenDeployment, f url.Values, version string, now time.Time) *rdsError {
	blue := st.Instances[d.Source]
	green := greenName(blue.ID, st.greenSuffix([]string{blue.ID}))
	storage := cmp.Or(f.Get("TargetStorageType"), blue.StorageType)
	form := url.Values{"DBInstanceIdentifier": {green}, "Engine": {blue.Engine}, "EngineVersion": {cmp.Or(version, blue.EngineVersion)},
		"DBInstanceClass": {cmp.Or(f.Get("TargetDBInstanceClass"), blue.Class)}, "MultiAZ": {strconv.FormatBool(blue.MultiAZ)},
		"AllocatedStorage": {cmp.Or(f.Get("TargetAllocatedStorage"), strconv.Itoa(int(blue.Allocated)))},
		"StorageType":      {storage}, "AvailabilityZone": {blue.AZ},
		"MasterUsername": {blue.MasterUsername}, "DBName": {blue.DBName}}
	for param, v := range map[string]struct {
		target string
		blue   int32
	}{"Iops": {f.Get("TargetIops"), blue.Iops}, "StorageThroughput": {f.Get("TargetStorageThroughput"), blue.Throughput}} {
		switch {
		case v.target != "":
			form.Set(param, v.target)
		case v.blue > 0 && storage == blue.StorageType:
			form.Set(param, strconv.Itoa(int(v.blue)))
		}
	}
	if _, e := st.createDBInstance(form, now); e != nil {
		return e
	}
	copySettings(st.Instances[green], blue)
	d.Target = green
	return nil
}

// createGreenCluster creates the green copy of d's blue Aurora DB cluster (at engine version
// version, if not empty) and of each of its members, the blue writer's copy first so that it is the
// green writer, and records them in d.
func (st *rdsState) createGreenCluster(d *blueGreenDeployment, version string, now time.Time) *rdsError {
	blue := st.Clusters[d.Source]
	members := st.members(blue.ID)
	slices.SortStableFunc(members, func(a, b *dbInstance) int { // the writer first
		if a.Writer == b.Writer {
			return 0
		}
		if a.Writer {
			return -1
		}
		return 1
	})
	ids := []string{blue.ID}
	for _, m := range members {
		ids = append(ids, m.ID)
	}
	suffix := st.greenSuffix(ids)
	green := greenName(blue.ID, suffix)
	form := url.Values{"DBClusterIdentifier": {green}, "Engine": {blue.Engine}, "EngineVersion": {cmp.Or(version, blue.EngineVersion)},
		"MasterUsername": {blue.MasterUsername}, "DatabaseName": {blue.DatabaseName}, "StorageType": {blue.StorageType}}
	if s := blue.Serverless; s != nil {
		form.Set("ServerlessV2ScalingConfiguration.MinCapacity", strconv.FormatFloat(s.MinACU, 'f', -1, 64))
		form.Set("ServerlessV2ScalingConfiguration.MaxCapacity", strconv.FormatFloat(s.MaxACU, 'f', -1, 64))
	}
	if _, e := st.createDBCluster(form, now); e != nil {
		return e
	}
	gc := st.Clusters[green]
	gc.MaintenanceWindow, gc.BackupWindow, gc.Tags, gc.Lifecycle = blue.MaintenanceWindow, blue.BackupWindow, slices.Clone(blue.Tags), blue.Lifecycle
	var made []bgPair
	for _, m := range members {
		id := greenName(m.ID, suffix)
		_, e := st.createDBInstance(url.Values{"DBInstanceIdentifier": {id}, "DBClusterIdentifier": {green},
			"Engine": {blue.Engine}, "DBInstanceClass": {m.Class}, "PromotionTier": {strconv.Itoa(int(m.PromotionTier))},
			"AvailabilityZone": {m.AZ}}, now)
		if e != nil {
			// Unexpected: every parameter comes from a valid blue database and the names are free.
			// Undo the green environment made so far so that a refused call changes nothing.
			for _, p := range made {
				delete(st.Instances, p.Target)
				delete(st.Nodes, p.Target)
			}
			delete(st.Clusters, green)
			return e
		}
		copySettings(st.Instances[id], m)
		made = append(made, bgPair{Source: m.ID, Target: id})
	}
	d.Target, d.Members = green, made
	return nil
}

// describeBlueGreenDeployments lists the deployment BlueGreenDeploymentIdentifier names, or all of
// them, that pass every filter, in creation order and paged by Marker / MaxRecords.
func (st *rdsState) describeBlueGreenDeployments(f url.Values, _ time.Time) (any, *rdsError) {
	var one *blueGreenDeployment
	if f.Get("BlueGreenDeploymentIdentifier") != "" {
		d, e := st.blueGreen(f)
		if e != nil {
			return nil, e
		}
		one = d
	}
	filters, e := knownFilters(f, "blue-green-deployment-identifier", "blue-green-deployment-name", "source", "target")
	if e != nil {
		return nil, e
	}
	byKey := map[string]*blueGreenDeployment{}
	var keys []string
	for _, d := range st.BlueGreen {
		if one != nil && d != one {
			continue
		}
		ok := true
		for _, fl := range filters {
			switch fl.Name {
			case "blue-green-deployment-identifier":
				ok = ok && matches(lower(fl.Values), d.ID)
			case "blue-green-deployment-name":
				ok = ok && slices.ContainsFunc(fl.Values, func(v string) bool { return strings.EqualFold(v, d.Name) })
			case "source":
				ok = ok && matches(lower(fl.Values), d.Source)
			case "target":
				ok = ok && matches(lower(fl.Values), d.Target)
			}
		}
		if ok {
			k := fmt.Sprintf("%020d", d.Order) // sorts as Order does, so markers page in creation order
			byKey[k] = d
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	pg, marker, e := page(f, keys)
	if e != nil {
		return nil, e
	}
	res := xDescribeBlueGreenDeploymentsResult{Marker: marker, BlueGreenDeployments: []xBlueGreenDeployment{}}
	for _, k := range pg {
		res.BlueGreenDeployments = append(res.BlueGreenDeployments, st.xBlueGreen(byKey[k]))
	}
	return res, nil
}

// deleteBlueGreenDeployment starts the deletion of a deployment (DELETING until settle removes it)
// and, with DeleteTarget, of its green DB instances through deleteDBInstance.
func (st *rdsState) deleteBlueGreenDeployment(f url.Values, now time.Time) (any, *rdsError) {
	d, e := st.blueGreen(f)
	if e != nil {
		return nil, e
	}
	del, e := formBool(f, "DeleteTarget")
	if e != nil {
		return nil, e
	}
	// InvalidBlueGreenDeploymentStateFault is the operation's modelled fault for a deployment that
	// can't be deleted as asked. (AWS also refuses DeleteTarget once the status is
	// SWITCHOVER_COMPLETED, which the sandbox never reaches: it does not emulate switchovers.)
	if d.Deleting != nil {
		return nil, errBlueGreenState("Blue/green deployment %s is already being deleted.", d.ID)
	}
	deleteTarget := del != nil && *del
	if deleteTarget {
		if _, provisioning := st.blueGreenHealth(d); provisioning {
			return nil, errBlueGreenState("The green environment of blue/green deployment %s is still being created: delete the deployment with DeleteTarget once it is AVAILABLE, or without DeleteTarget.", d.ID)
		}
		green := st.greenInstances(d)
		for _, in := range green {
			if in.Status != "available" {
				return nil, errBlueGreenState("Green DB instance %s of blue/green deployment %s is not in the available state (status %s).", in.ID, d.ID, in.Status)
			}
		}
		for _, in := range green {
			// The normal delete path; green instances keep no final snapshot.
			if _, e := st.deleteDBInstance(url.Values{"DBInstanceIdentifier": {in.ID}, "SkipFinalSnapshot": {"true"}}, now); e != nil {
				return nil, e
			}
		}
	}
	d.Deleting, d.DeleteTarget = &now, deleteTarget
	st.event("blue-green-deployment", d.ID, st.arn("deployment", d.ID), "Blue/green deployment deletion started.", now, "deletion")
	return xBlueGreenDeploymentResult{BlueGreenDeployment: st.xBlueGreen(d)}, nil
}

// greenInstances are the green DB instances of d present now: its green instance, or the current
// members of its green cluster.
func (st *rdsState) greenInstances(d *blueGreenDeployment) []*dbInstance {
	if d.Cluster {
		return st.members(d.Target)
	}
	if in, ok := st.Instances[d.Target]; ok {
		return []*dbInstance{in}
	}
	return nil
}

// blueGreenTransitions offers settle (as its consider) the removal of each deployment being
// deleted, due Durations.DeleteBlueGreen after DeleteBlueGreenDeployment and, with DeleteTarget,
// not before its green DB instances are deleted.
func (st *rdsState) blueGreenTransitions(consider func(time.Time, func())) {
	for _, id := range sortedKeys(st.BlueGreen) {
		d := st.BlueGreen[id]
		if d.Deleting == nil {
			continue
		}
		at := d.Deleting.Add(st.dur.DeleteBlueGreen)
		if d.DeleteTarget {
			for _, in := range st.greenInstances(d) {
				if in.Op != nil && in.Op.Kind == "delete" && in.Op.End.After(at) {
					at = in.Op.End
				}
			}
		}
		consider(at, func() { st.removeBlueGreen(d, at) })
	}
}

// removeBlueGreen ends the deletion of d at time at: with DeleteTarget its green cluster goes too,
// once its instances are gone.
func (st *rdsState) removeBlueGreen(d *blueGreenDeployment, at time.Time) {
	if c, ok := st.Clusters[d.Target]; ok && d.Cluster && d.DeleteTarget && len(st.members(c.ID)) == 0 {
		delete(st.Clusters, c.ID)
		st.event("db-cluster", c.ID, c.ARN, "DB cluster deleted", at, "deletion")
	}
	delete(st.BlueGreen, d.ID)
	st.event("blue-green-deployment", d.ID, st.arn("deployment", d.ID), "Blue/green deployment deleted.", at, "deletion")
}

// bgResource is one blue database and its green copy: the kind of both ("cluster" or "db", as in
// their ARNs) and their identifiers.
type bgResource struct {
	kind, source, target string
}

// resources are d's blue/green pairs in switchover-detail order: the DB instance, or the DB cluster
// and then its members.
func (d *blueGreenDeployment) resources() []bgResource {
	if !d.Cluster {
		return []bgResource{{"db", d.Source, d.Target}}
	}
	out := []bgResource{{"cluster", d.Source, d.Target}}
	for _, m := range d.Members {
		out = append(out, bgResource{"db", m.Source, m.Target})
	}
	return out
}

// database returns the status of the DB cluster or instance id, and whether it exists.
func (st *rdsState) database(kind, id string) (string, bool) {
	if kind == "cluster" {
		if c, ok := st.Clusters[id]; ok {
			return c.Status, true
		}
		return "", false
	}
	if in, ok := st.Instances[id]; ok {
		return in.Status, true
	}
	return "", false
}

// blueGreenHealth is what d's status derives from: whether a blue or green database is missing,
// and whether a green one is still being created. The deployment is DELETING once deleted,
// INVALID_CONFIGURATION when a database is missing, PROVISIONING while a green one is being
// created, else AVAILABLE; each present pair shows the readiness of the whole green environment.
func (st *rdsState) blueGreenHealth(d *blueGreenDeployment) (missing, provisioning bool) {
	for _, r := range d.resources() {
		_, blue := st.database(r.kind, r.source)
		status, green := st.database(r.kind, r.target)
		missing = missing || !blue || !green
		provisioning = provisioning || status == "creating"
	}
	return missing, provisioning
}

// xBlueGreen is d as the API shows it now, its status and switchover details computed from the
// current state.
func (st *rdsState) xBlueGreen(d *blueGreenDeployment) xBlueGreenDeployment {
	kind := "db"
	if d.Cluster {
		kind = "cluster"
	}
	missing, provisioning := st.blueGreenHealth(d)
	ready := bgAvailable
	if provisioning {
		ready = bgProvisioning
	}
	status := ready
	switch {
	case d.Deleting != nil:
		status = bgDeleting
	case missing:
		status = bgInvalid
	}
	var details []xSwitchoverDetail
	for _, r := range d.resources() {
		x := xSwitchoverDetail{SourceMember: st.arn(r.kind, r.source), TargetMember: st.arn(r.kind, r.target), Status: ready}
		if _, ok := st.database(r.kind, r.source); !ok {
			x.Status = bgMissingBlue
		} else if _, ok := st.database(r.kind, r.target); !ok {
			x.Status = bgMissingGreen
		}
		details = append(details, x)
	}
	x := xBlueGreenDeployment{BlueGreenDeploymentIdentifier: d.ID, BlueGreenDeploymentName: d.Name,
		Source: st.arn(kind, d.Source), Target: st.arn(kind, d.Target), SwitchoverDetails: details,
		Status: status, CreateTime: ts(d.Created), TagList: xtags(d.Tags)}
	if d.Deleting != nil {
		x.DeleteTime = ts(*d.Deleting)
	}
	return x
}
