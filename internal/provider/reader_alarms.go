package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/analysis"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/awserr"
	cw "github.com/dbrightsize/terraform-provider-rightsize/internal/cloudwatch"
	"github.com/dbrightsize/terraform-provider-rightsize/internal/topology"
)

// Titles of the warnings about the CloudWatch alarms that watch an Aurora reader a change removes.
const (
	readerAlarmsTitle     = "CloudWatch Alarms Watch the Reader Removed"
	readerAlarmsUnchecked = "CloudWatch Alarms Not Checked"
)

// readerAlarmsUncheckedText says that the alarms on reader (of cluster) were not checked because
// listing them failed with err, and, when the credentials were refused
// cloudwatch:DescribeAlarms, that granting it makes the check. Nothing depends on the check.
func readerAlarmsUncheckedText(cluster, reader string, err error) string {
	why := "listing them failed"
	if awserr.PermissionDenied(err) {
		why = "the credentials are not allowed cloudwatch:DescribeAlarms (add it to the role's policy to have them checked)"
	}
	return fmt.Sprintf("The check of the CloudWatch alarms that watch reader %s of Aurora cluster %s (once it is removed they receive no data, "+
		"and one with TreatMissingData = breaching goes to ALARM and runs its actions) was skipped: %s. The change is not affected; "+
		"look for alarms on the reader's DBInstanceIdentifier, and on the cluster's Role = READER, yourself.\n\n%s", reader, cluster, why, err)
}

// removesReader reports whether the change previewed removes the Aurora reader it names
// (preview.Reader), so that the plan warns of the alarms that watch it: not when the change is
// refused, already completed, or an interrupted rollback that apply finishes (it restores the
// previous topology, reader included, and fails; the next plan starts the change anew and warns).
func removesReader(preview topology.Preview) bool {
	return preview.Reader != "" && preview.Refusal == "" && !preview.Completed && !preview.RollingBack
}

// warnReaderAlarms adds the plan's warning for a change that removes reader, the only reader of
// Aurora cluster cluster whose writer is writer: the CloudWatch alarms that watch it and what
// each does once it is gone (analysis.ReaderAlarmsText), or, when the alarms could not be listed,
// that the check was skipped. Never an error: the change does not depend on it. A nil api (no
// CloudWatch client) checks nothing.
func warnReaderAlarms(ctx context.Context, api cw.AlarmsAPI, cluster, writer, reader string, diags *diag.Diagnostics) {
	if api == nil || reader == "" {
		return
	}
	alarms, err := cw.ReaderAlarms(ctx, api, cluster, writer, reader)
	if err != nil {
		diags.AddWarning(readerAlarmsUnchecked, readerAlarmsUncheckedText(cluster, reader, err))
		return
	}
	if len(alarms) == 0 {
		return
	}
	if writer == "" {
		writer = "the writer"
	}
	text := analysis.ReaderAlarmsText(reader, writer, alarms)
	paging, mayPage := 0, 0
	composites := map[string]bool{} // each composite over the alarms once: whether it pages (through any of them)
	for _, a := range alarms {
		switch {
		case a.Pages():
			paging++
		case a.MayPage():
			mayPage++
		}
		for _, c := range a.Composites {
			if a.CompositeMayPage(c) {
				composites[c.Name] = composites[c.Name] || a.CompositePages(c)
			}
		}
	}
	compPaging, compMay := 0, 0
	for _, pages := range composites {
		if pages {
			compPaging++
		} else {
			compMay++
		}
	}
	// "Watch a metric that stops", not "left without data": metric math that also reads
	// metrics that go on may still have a value (the "may page" ones).
	lead := fmt.Sprintf("Removing reader %s of Aurora cluster %s stops a metric that %d CloudWatch alarm(s) watch", reader, cluster, len(alarms))
	if paging > 0 {
		lead += fmt.Sprintf(", %d of which will page", paging)
	}
	if mayPage > 0 {
		lead += fmt.Sprintf(" (%d more may page: metric math that also reads metrics that go on)", mayPage)
	}
	if compPaging > 0 {
		lead += fmt.Sprintf("; %d composite alarm(s) over them will page", compPaging)
	}
	if compMay > 0 {
		lead += fmt.Sprintf("; %d composite alarm(s) over them may page, as their rules decide", compMay)
	}
	diags.AddWarning(readerAlarmsTitle, lead+". "+strings.TrimSuffix(text, ".")+
		". The change is not refused for this: a retargeted alarm (aws_cloudwatch_metric_alarm's dimensions) applied with it, or before, keeps watching the cluster.")
}

// compositeAlarmList is reader_alarms' composite_alarms of a: the composite alarms over it that page
// or may page once its metric stops, with pages true for those that page for certain.
func compositeAlarmList(a analysis.ReaderAlarm, diags *diag.Diagnostics) types.List {
	out := []attr.Value{}
	for _, c := range a.Composites {
		if a.CompositeMayPage(c) {
			out = append(out, mustObject(recCompositeAlarmType, map[string]attr.Value{
				"alarm_name": types.StringValue(c.Name), "pages": types.BoolValue(a.CompositePages(c))}, diags))
		}
	}
	return mustList(recCompositeAlarmType, out, diags)
}
