package web

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/suara-id/suara/internal/cases"
)

// detail is one field of a timeline event, ready to print.
type detail struct{ Label, Value string }

// timelineFields are the payload fields a timeline shows, in this order, and
// the message prefix that turns a stored value into words ("" prints it as
// is). Anything else in a payload — ids, model versions — stays out: the
// timeline is read by officers who are not IT staff, and by reporters.
var timelineFields = []struct{ key, label, values string }{
	{"to", "timeline.status", "case.status."},
	{"meeting_date", "timeline.meeting_date", ""},
	{"date", "timeline.date", ""},
	{"participants", "timeline.participants", ""},
	{"office", "timeline.office", ""},
	{"registration_number", "timeline.registration_number", ""},
	{"method", "timeline.method", "handling.method."},
	{"mediator", "timeline.mediator", ""},
	{"court", "timeline.court", ""},
	{"case_number", "timeline.case_number", ""},
	{"target", "timeline.target", "handling.target."},
	{"target_detail", "timeline.target_detail", ""},
	{"outcome", "timeline.outcome", "handling.outcome."},
	{"summary", "timeline.summary", ""},
	{"terms", "timeline.terms", ""},
	{"decision", "timeline.decision", "handling.suggestion_"},
	{"category", "timeline.category", ""},
	{"urgency", "timeline.urgency", "queue.urgency."},
	{"tags", "timeline.tags", ""},
	{"confidence", "timeline.confidence", ""},
	{"comment", "timeline.comment", ""},
	{"notes", "timeline.notes", ""},
}

// Details lists what an event's payload says, in the reader's language.
// Category slugs read as the names in CategoryNames when the page set them;
// on a reporter's page a status reads as the union words it for reporters.
func (p *Page) Details(e cases.Event) []detail {
	var m map[string]any
	if err := json.Unmarshal([]byte(e.Payload), &m); err != nil || len(m) == 0 {
		return nil
	}
	if e.Kind == cases.EventOutcome {
		return p.outcomeDetails(m)
	}
	if e.Kind == cases.EventRated {
		// Scores, not an action's outcome.
		var out []detail
		for _, k := range []string{"handling", "outcome"} {
			if v, ok := m[k].(float64); ok {
				out = append(out, detail{p.T("timeline.rating_" + k), fmt.Sprintf("%d/5", int(v))})
			}
		}
		if c, ok := m["comment"].(string); ok && c != "" {
			out = append(out, detail{p.T("timeline.comment"), c})
		}
		return out
	}
	var out []detail
	for _, f := range timelineFields {
		v := plain(m[f.key])
		if v == "" {
			continue
		}
		switch {
		case f.key == "category":
			if name := p.CategoryNames[v]; name != "" {
				v = name
			}
		case f.key == "to" && p.forReporter:
			v = p.ReporterStatus(cases.Status(v))
		case f.key == "confidence":
			if x, err := strconv.ParseFloat(v, 64); err == nil {
				v = fmt.Sprintf("%d%%", int(x*100+0.5))
			}
		case f.values != "":
			if t := p.T(f.values + v); t != f.values+v {
				v = t
			}
		}
		out = append(out, detail{p.T(f.label), v})
	}
	return out
}

// plain prints a payload value: text, a number, or a list joined by commas.
func plain(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			if s := plain(e); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", ")
	}
	return ""
}
