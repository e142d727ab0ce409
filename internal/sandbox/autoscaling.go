package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Application Auto Scaling, the part Aurora replica auto scaling uses: RegisterScalableTarget,
// DescribeScalableTargets and DeregisterScalableTarget for ServiceNamespace "rds" and
// ScalableDimension "rds:cluster:ReadReplicaCount", on ResourceId "cluster:<DBClusterIdentifier>"
// of an existing Aurora cluster. The protocol is awsJson1.1: POST /, X-Amz-Target
// AnyScaleFrontendService.<Operation>, JSON bodies with the API's member names, errors as
// {"__type": code, "message": ...} with the X-Amzn-Errortype header (what smithy-go's awsjson
// protocol reads, header first). Targets are only stored: no scaling activity ever changes the
// cluster.

// Application Auto Scaling constants of Aurora replica auto scaling.
const (
	asTargetPrefix = "AnyScaleFrontendService."
	asService      = "application-autoscaling" // log Service, fault prefix and SigV4 signing name
	asNamespace    = "rds"
	asDimension    = "rds:cluster:ReadReplicaCount"
	asMaxReplicas  = 15 // an Aurora cluster has at most 15 replicas
)

// asNamespaces are the ServiceNamespace values the API knows (types.ServiceNamespace of
// service/applicationautoscaling); all but "rds" describe as empty.
var asNamespaces = []string{"ecs", "elasticmapreduce", "ec2", "appstream", "dynamodb", "rds", "sagemaker",
	"custom-resource", "comprehend", "lambda", "cassandra", "kafka", "elasticache", "neptune", "workspaces"}

// scalableTarget is one registered scalable target (keyed by ResourceId in rdsState.ScalableTargets:
// the only namespace and dimension emulated are rds / rds:cluster:ReadReplicaCount).
type scalableTarget struct {
	Namespace  string         `json:"serviceNamespace"`
	ResourceID string         `json:"resourceId"`
	Dimension  string         `json:"scalableDimension"`
	Min        int32          `json:"minCapacity"`
	Max        int32          `json:"maxCapacity"`
	RoleARN    string         `json:"roleArn"`
	Created    time.Time      `json:"created"`
	ARN        string         `json:"arn"`
	Suspended  asSuspendedOut `json:"suspended"`
}

// asRequest is the union of the three operations' request members. Capacities are int64 so
// an out-of-range value is a ValidationException rather than a decoding error.
type asRequest struct {
	ServiceNamespace  string         `json:"ServiceNamespace"`
	ResourceID        string         `json:"ResourceId"`
	ScalableDimension string         `json:"ScalableDimension"`
	MinCapacity       *int64         `json:"MinCapacity"`
	MaxCapacity       *int64         `json:"MaxCapacity"`
	RoleARN           string         `json:"RoleARN"`
	SuspendedState    *asSuspendedIn `json:"SuspendedState"`
	ResourceIDs       []string       `json:"ResourceIds"`
	MaxResults        *int64         `json:"MaxResults"`
	NextToken         *string        `json:"NextToken"`
}

type asSuspendedIn struct {
	DynamicScalingInSuspended  *bool
	DynamicScalingOutSuspended *bool
	ScheduledScalingSuspended  *bool
}

type asSuspendedOut struct {
	DynamicScalingInSuspended  bool `json:"DynamicScalingInSuspended"`
	DynamicScalingOutSuspended bool `json:"DynamicScalingOutSuspended"`
	ScheduledScalingSuspended  bool `json:"ScheduledScalingSuspended"`
}

// jScalableTarget is types.ScalableTarget on the wire (CreationTime in epoch seconds).
type jScalableTarget struct {
	ServiceNamespace  string         `json:"ServiceNamespace"`
	ResourceID        string         `json:"ResourceId"`
	ScalableDimension string         `json:"ScalableDimension"`
	MinCapacity       int32          `json:"MinCapacity"`
	MaxCapacity       int32          `json:"MaxCapacity"`
	RoleARN           string         `json:"RoleARN"`
	CreationTime      float64        `json:"CreationTime"`
	SuspendedState    asSuspendedOut `json:"SuspendedState"`
	ScalableTargetARN string         `json:"ScalableTargetARN"`
}

type jDescribeScalableTargetsOut struct {
	ScalableTargets []jScalableTarget `json:"ScalableTargets"`
	NextToken       string            `json:"NextToken,omitempty"`
}

type jRegisterScalableTargetOut struct {
	ScalableTargetARN string `json:"ScalableTargetARN"`
}

// asError is an Application Auto Scaling error (awsJson1.1).
type asError struct {
	Status  int
	Code    string
	Message string
}

func asValidation(format string, a ...any) *asError {
	return &asError{400, "ValidationException", fmt.Sprintf(format, a...)}
}

func writeASError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", requestID(uint64(len(msg))^hashString(code)))
	w.Header().Set("X-Amzn-Errortype", code)
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"__type": code, "message": msg})
	_, _ = w.Write(b)
}

func writeASResult(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", requestID(hashString(string(b))))
	w.WriteHeader(200)
	_, err = w.Write(b)
	return err
}

// asSignatureCode is the awsJson (coral) name of a rejection checkSignature reports by its
// query-protocol code.
func asSignatureCode(code string) string {
	switch code {
	case "MissingAuthenticationToken":
		return "MissingAuthenticationTokenException"
	case "IncompleteSignature":
		return "IncompleteSignatureException"
	case "SignatureDoesNotMatch":
		return "InvalidSignatureException"
	}
	return code
}

type asHandler func(st *rdsState, in *asRequest, now time.Time) (any, *asError)

var asHandlers = map[string]asHandler{
	"RegisterScalableTarget":   (*rdsState).registerScalableTarget,
	"DescribeScalableTargets":  (*rdsState).describeScalableTargets,
	"DeregisterScalableTarget": (*rdsState).deregisterScalableTarget,
}

var asMutating = map[string]bool{"RegisterScalableTarget": true, "DeregisterScalableTarget": true}

// serveAutoScaling serves an X-Amz-Target AnyScaleFrontendService.<Op> request.
func (s *Server) serveAutoScaling(w http.ResponseWriter, r *http.Request) {
	opName := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), asTargetPrefix)
	entry := LogEntry{Time: s.clock.Now(), RealTime: time.Now(), Service: asService, Operation: opName,
		Params: map[string]string{}, Attempt: sdkAttempt(r.Header)}
	defer s.log.begin(&entry)()
	fail := func(e *asError) {
		entry.Status, entry.ErrorCode = e.Status, e.Code
		writeASError(w, e.Status, e.Code, e.Message)
	}
	body, err := readBody(r)
	if err != nil {
		fail(&asError{400, "SerializationException", err.Error()})
		return
	}
	if st, code, msg := s.checkSignature(r, asService); st != 0 {
		fail(&asError{st, asSignatureCode(code), msg})
		return
	}
	if s.applyFault(w, r, asService, opName, &entry, nil, func(st int, code, msg string) {
		if code == "Throttling" {
			code = "ThrottlingException"
			entry.ErrorCode = code
		}
		writeASError(w, st, code, msg)
	}) {
		return
	}
	h, ok := asHandlers[opName]
	if !ok {
		fail(&asError{400, "UnknownOperationException", "The AWS sandbox emulates RegisterScalableTarget, DescribeScalableTargets and DeregisterScalableTarget of Application Auto Scaling, not " + opName + "."})
		return
	}
	var in asRequest
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			fail(&asError{400, "SerializationException", "could not decode the JSON request body: " + err.Error()})
			return
		}
	}
	entry.Params = in.logParams()
	now := s.clock.Now()
	s.mu.Lock()
	s.st.settle(now)
	out, aerr := h(s.st, &in, now)
	s.mu.Unlock()
	if aerr != nil {
		fail(aerr)
		return
	}
	entry.Status = 200
	if asMutating[opName] {
		s.persist()
	}
	if err := writeASResult(w, out); err != nil {
		entry.Status = 500
	}
}

// logParams are the request members LogEntry.Params records.
func (in *asRequest) logParams() map[string]string {
	p := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			p[k] = v
		}
	}
	num := func(k string, v *int64) {
		if v != nil {
			p[k] = strconv.FormatInt(*v, 10)
		}
	}
	set("ServiceNamespace", in.ServiceNamespace)
	set("ResourceId", in.ResourceID)
	set("ScalableDimension", in.ScalableDimension)
	set("ResourceIds", strings.Join(in.ResourceIDs, ","))
	num("MinCapacity", in.MinCapacity)
	num("MaxCapacity", in.MaxCapacity)
	num("MaxResults", in.MaxResults)
	if in.NextToken != nil {
		set("NextToken", *in.NextToken)
	}
	return p
}

// asResourceID canonicalises "cluster:<id>" (RDS identifiers are case-insensitive); other
// values are returned as they are.
func asResourceID(id string) string {
	if c, ok := strings.CutPrefix(id, "cluster:"); ok {
		return "cluster:" + strings.ToLower(c)
	}
	return id
}

// asKey checks the namespace, dimension and resource id of a register or deregister request.
func asKey(in *asRequest) (string, *asError) {
	switch {
	case in.ServiceNamespace == "" || in.ResourceID == "" || in.ScalableDimension == "":
		return "", asValidation("ServiceNamespace, ResourceId and ScalableDimension are required.")
	case in.ServiceNamespace != asNamespace:
		return "", asValidation("The sandbox emulates Application Auto Scaling for Aurora replicas only: ServiceNamespace must be %q, not %q.", asNamespace, in.ServiceNamespace)
	case in.ScalableDimension != asDimension:
		return "", asValidation("Unsupported scalable dimension %q for service namespace rds: the sandbox emulates %q only.", in.ScalableDimension, asDimension)
	case !strings.HasPrefix(in.ResourceID, "cluster:"):
		return "", asValidation("Unsupported resource ID %q: an Aurora DB cluster's is cluster:<DBClusterIdentifier>.", in.ResourceID)
	}
	return asResourceID(in.ResourceID), nil
}

func asCapacity(name string, v *int64) (*int32, *asError) {
	if v == nil {
		return nil, nil
	}
	if *v < 0 || *v > asMaxReplicas {
		return nil, asValidation("%s %d is out of range: Aurora replica auto scaling allows 0 to %d replicas.", name, *v, asMaxReplicas)
	}
	n := int32(*v)
	return &n, nil
}

func (st *rdsState) registerScalableTarget(in *asRequest, now time.Time) (any, *asError) {
	key, e := asKey(in)
	if e != nil {
		return nil, e
	}
	cid := strings.TrimPrefix(key, "cluster:")
	if c, ok := st.Clusters[cid]; !ok || !strings.HasPrefix(c.Engine, "aurora") {
		return nil, asValidation("DB cluster not found: %s (ResourceId %s must name an existing Aurora DB cluster).", cid, in.ResourceID)
	}
	minC, e := asCapacity("MinCapacity", in.MinCapacity)
	if e != nil {
		return nil, e
	}
	maxC, e := asCapacity("MaxCapacity", in.MaxCapacity)
	if e != nil {
		return nil, e
	}
	t, exists := st.ScalableTargets[key]
	if !exists && (minC == nil || maxC == nil) {
		return nil, asValidation("MinCapacity and MaxCapacity are required to register a new scalable target.")
	}
	var newMin, newMax int32 // an update keeps what it does not give
	if exists {
		newMin, newMax = t.Min, t.Max
	}
	if minC != nil {
		newMin = *minC
	}
	if maxC != nil {
		newMax = *maxC
	}
	if newMin > newMax {
		return nil, asValidation("Minimum capacity (%d) cannot be greater than maximum capacity (%d).", newMin, newMax)
	}
	if !exists {
		role := in.RoleARN
		if role == "" {
			role = fmt.Sprintf("arn:aws:iam::%s:role/aws-service-role/rds.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_RDSCluster", st.Account)
		}
		h, h2 := st.uniqueHash(key)
		id := fmt.Sprintf("%016x%016x%04x", h, h2, uint16(splitmix64(h+1)))
		t = &scalableTarget{Namespace: asNamespace, ResourceID: key, Dimension: asDimension, RoleARN: role, Created: now,
			ARN: fmt.Sprintf("arn:aws:application-autoscaling:%s:%s:scalable-target/%s", st.Region, st.Account, id)}
		if st.ScalableTargets == nil { // a state file written before the sandbox had auto scaling
			st.ScalableTargets = map[string]*scalableTarget{}
		}
		st.ScalableTargets[key] = t
	} else if in.RoleARN != "" {
		t.RoleARN = in.RoleARN
	}
	t.Min, t.Max = newMin, newMax
	if s := in.SuspendedState; s != nil {
		for _, p := range []struct {
			in  *bool
			out *bool
		}{{s.DynamicScalingInSuspended, &t.Suspended.DynamicScalingInSuspended},
			{s.DynamicScalingOutSuspended, &t.Suspended.DynamicScalingOutSuspended},
			{s.ScheduledScalingSuspended, &t.Suspended.ScheduledScalingSuspended}} {
			if p.in != nil {
				*p.out = *p.in
			}
		}
	}
	return jRegisterScalableTargetOut{ScalableTargetARN: t.ARN}, nil
}

func (st *rdsState) describeScalableTargets(in *asRequest, _ time.Time) (any, *asError) {
	if in.ServiceNamespace == "" {
		return nil, asValidation("ServiceNamespace is required.")
	}
	if !slices.Contains(asNamespaces, in.ServiceNamespace) {
		return nil, asValidation("1 validation error detected: Value '%s' at 'serviceNamespace' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
			in.ServiceNamespace, strings.Join(asNamespaces, ", "))
	}
	limit := 50
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 50 {
			return nil, asValidation("MaxResults %d is out of range: it must be between 1 and 50.", *in.MaxResults)
		}
		limit = int(*in.MaxResults)
	}
	after := ""
	if in.NextToken != nil && *in.NextToken != "" {
		var ok bool
		if after, ok = asDecodeToken(*in.NextToken); !ok {
			return nil, &asError{400, "InvalidNextTokenException", "Invalid NextToken: " + *in.NextToken}
		}
	}
	ids := map[string]bool{}
	for _, id := range in.ResourceIDs {
		ids[asResourceID(id)] = true
	}
	var keep []*scalableTarget
	if in.ServiceNamespace == asNamespace {
		for _, k := range sortedKeys(st.ScalableTargets) {
			t := st.ScalableTargets[k]
			if (len(ids) == 0 || ids[t.ResourceID]) && (in.ScalableDimension == "" || in.ScalableDimension == t.Dimension) &&
				t.ResourceID > after {
				keep = append(keep, t)
			}
		}
	}
	out := jDescribeScalableTargetsOut{ScalableTargets: []jScalableTarget{}}
	if len(keep) > limit {
		keep = keep[:limit]
		out.NextToken = asEncodeToken(keep[limit-1].ResourceID)
	}
	for _, t := range keep {
		out.ScalableTargets = append(out.ScalableTargets, jScalableTarget{ServiceNamespace: t.Namespace, ResourceID: t.ResourceID,
			ScalableDimension: t.Dimension, MinCapacity: t.Min, MaxCapacity: t.Max, RoleARN: t.RoleARN,
			CreationTime: float64(t.Created.UnixMilli()) / 1000, SuspendedState: t.Suspended, ScalableTargetARN: t.ARN})
	}
	return out, nil
}

func (st *rdsState) deregisterScalableTarget(in *asRequest, _ time.Time) (any, *asError) {
	key, e := asKey(in)
	if e != nil {
		return nil, e
	}
	if _, ok := st.ScalableTargets[key]; !ok {
		return nil, &asError{400, "ObjectNotFoundException", fmt.Sprintf("No scalable target registered for service namespace: %s, resource ID: %s, scalable dimension: %s",
			in.ServiceNamespace, in.ResourceID, in.ScalableDimension)}
	}
	delete(st.ScalableTargets, key)
	return struct{}{}, nil
}

// asEncodeToken makes the NextToken that resumes after the target with this ResourceId: the id
// and a check value, so that a token the sandbox did not issue is an InvalidNextTokenException.
func asEncodeToken(after string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(after + "\x00" + strconv.FormatUint(splitmix64(hashString("asg-token:"+after)), 36)))
}

func asDecodeToken(tok string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return "", false
	}
	after, _, _ := strings.Cut(string(raw), "\x00")
	return after, asEncodeToken(after) == tok
}
