package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// CheckGuarded asks the AWS sandbox at endpoint (its admin path
// /_sandbox/guarded, sandbox.Server.CheckGuarded) whether every change the
// apply made to the targets of s's topology changes followed a successful
// describe of an available guard snapshot. It returns one line per target
// with its number of changing calls. It fails if the invariant is broken for
// a target, or if no target was changed at all (a check of nothing).
func CheckGuarded(endpoint string, s Summary) ([]string, error) {
	if len(s.Changes) == 0 {
		return nil, fmt.Errorf("the plan has no rightsize_db_topology change to check")
	}
	client := &http.Client{Timeout: 10 * time.Second}
	var lines []string
	total := 0
	for _, ch := range s.Changes {
		resp, err := client.Get(strings.TrimSuffix(endpoint, "/") + "/_sandbox/guarded?id=" + url.QueryEscape(ch.Target))
		if err != nil {
			return nil, fmt.Errorf("asking the sandbox about %s: %w", ch.Target, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("reading the sandbox's answer about %s: %w", ch.Target, err)
		}
		var r struct {
			Calls int    `json:"calls"`
			Error string `json:"error"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, fmt.Errorf("the sandbox's answer about %s (HTTP %d) is not JSON: %.200s", ch.Target, resp.StatusCode, body)
		}
		if resp.StatusCode != http.StatusOK {
			if r.Error == "" {
				r.Error = fmt.Sprintf("HTTP %d: %.200s", resp.StatusCode, body)
			}
			return nil, fmt.Errorf("%s: %s", ch.Target, r.Error)
		}
		total += r.Calls
		line := fmt.Sprintf("%s: %d changing call(s), each right after a describe of its available guard snapshot", ch.Target, r.Calls)
		if r.Calls == 0 {
			line = ch.Target + ": not changed"
		}
		lines = append(lines, line)
	}
	if total == 0 {
		return nil, fmt.Errorf("no changing call was made to %s: nothing was checked", targets(s))
	}
	return lines, nil
}

func targets(s Summary) string {
	ids := make([]string, len(s.Changes))
	for i, ch := range s.Changes {
		ids[i] = ch.Target
	}
	return strings.Join(ids, ", ")
}
