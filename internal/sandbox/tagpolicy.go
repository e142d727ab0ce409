package sandbox

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// tagPolicy is what RequireRequestTags set: by RDS operation, the tag keys its request must set.
type tagPolicy struct {
	mu   sync.Mutex
	keys map[string][]string
}

// RequireRequestTags makes the sandbox refuse, as an organisation's service control policy does
// with a Deny on the action under the condition {"Null": {"aws:RequestTag/<key>": "true"}}, every
// RDS call of operation (e.g. "CreateDBSnapshot", "RestoreDBInstanceFromDBSnapshot") whose request
// does not tag what it creates (Tags.Tag.N.Key) with each of keys: 403 AccessDenied, naming the
// explicit deny, before anything is changed. Key names match case-sensitively, as aws:RequestTag
// keys do. Calling it again for an operation replaces its keys; no keys lifts the requirement.
func (s *Server) RequireRequestTags(operation string, keys ...string) {
	s.tags.mu.Lock()
	defer s.tags.mu.Unlock()
	if s.tags.keys == nil {
		s.tags.keys = map[string][]string{}
	}
	if len(keys) == 0 {
		delete(s.tags.keys, operation)
		return
	}
	s.tags.keys[operation] = slices.Clone(keys)
}

// denies is the AccessDenied message for an RDS call of action whose request f lacks a tag key
// RequireRequestTags requires of it; "" when it lacks none.
func (p *tagPolicy) denies(account, action string, f url.Values) string {
	p.mu.Lock()
	required := p.keys[action]
	p.mu.Unlock()
	var missing []string
	for _, k := range required {
		if !slices.ContainsFunc(formTags(f), func(t tag) bool { return t.Key == k }) {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return fmt.Sprintf("User: arn:aws:sts::%s:assumed-role/sandbox/session is not authorized to perform: rds:%s with an explicit deny in a service control policy "+
		"(the request does not set the tag(s) %s, aws:RequestTag)", account, action, strings.Join(missing, ", "))
}
