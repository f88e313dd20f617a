package notify

import (
	"slices"
	"strings"

	"github.com/suara-id/suara/internal/cases"
)

// audience is who a rule notifies.
type audience int

const (
	// toReporter: by their chosen channels when the case is named; in-app
	// only when it is confidential (their account is not stored with the
	// case) or anonymous (the receipt page shows it).
	toReporter audience = iota + 1
	// toHandler: the assigned officer, or the branch admins while nobody is
	// assigned.
	toHandler
	// toBranchAdmins: the branch admins nearest above the case (or the
	// branch the payload names).
	toBranchAdmins
)

// Template names; tenants may override each per language.
const (
	tmplReporterUpdate = "reporter_update"
	tmplHandlerUpdate  = "handler_update"
	tmplAssigned       = "assigned"
	tmplDeadline       = "deadline"
	tmplEscalation     = "escalation"
	tmplCritical       = "critical"
	tmplUrgent         = "urgent"
	tmplSubject        = "subject"
)

// rule is one line of "who hears what".
type rule struct {
	trigger  string
	to       audience
	template string
	// match, when set, must accept the event payload.
	match func(p map[string]any) bool
	// digest: a recipient who asked for a daily digest gets one message a
	// day for all such events instead of one each.
	digest bool
	// critical ignores quiet hours.
	critical bool
}

// Deadline event kinds: the escalation scan writes the approaching and
// passed ones; "overdue" is kept for digests.
const (
	kindDeadlineApproaching = cases.EventDeadlineApproaching
	kindDeadlinePassed      = cases.EventDeadlinePassed
	kindOverdue             = "overdue"
)

// rules maps an event kind to what it triggers; a new kind is one line.
// Kinds starting with cases.EventActionPrefix use actionRules.
var rules = map[string][]rule{
	cases.EventMessage: {
		{trigger: "message_to_reporter", to: toReporter, template: tmplReporterUpdate, match: byStaff},
		{trigger: "message_to_handler", to: toHandler, template: tmplHandlerUpdate, match: byReporter},
	},
	cases.EventStatusChanged: {
		{trigger: "status_to_reporter", to: toReporter, template: tmplReporterUpdate, match: statusByStaff},
		{trigger: "status_to_handler", to: toHandler, template: tmplHandlerUpdate, match: byReporter},
	},
	cases.EventAssigned:     {{trigger: "assigned", to: toHandler, template: tmplAssigned, match: hasOfficer}},
	cases.EventRated:        {{trigger: "low_rating", to: toHandler, template: tmplHandlerUpdate, match: lowRating}},
	cases.EventCheckinAsked: {{trigger: "checkin", to: toReporter, template: tmplReporterUpdate}},
	kindDeadlineApproaching: {{trigger: "deadline", to: toHandler, template: tmplDeadline, digest: true}},
	kindDeadlinePassed:      {{trigger: "deadline", to: toHandler, template: tmplDeadline, digest: true}},
	kindOverdue:             {{trigger: "deadline", to: toHandler, template: tmplDeadline, digest: true}},
	cases.EventEscalated:    {{trigger: "escalated", to: toBranchAdmins, template: tmplEscalation}},
	// A case filed with a life-and-limb signal reaches the branch at once;
	// one whose rule floor is high reaches it today, after quiet hours.
	cases.EventFiled: {
		{trigger: "critical_filed", to: toBranchAdmins, template: tmplCritical, match: criticalFiling, critical: true},
		{trigger: "urgent_filed", to: toBranchAdmins, template: tmplUrgent, match: urgentFiling},
	},
	cases.EventEscalationPrompt: {{trigger: "deadline", to: toHandler, template: tmplDeadline, digest: true}},
	"action":                    actionRules,
	cases.EventCheckinAnswer:    {{trigger: "checkin_answered", to: toHandler, template: tmplHandlerUpdate, match: retaliation}},
	cases.EventEvidenceAdded:    {{trigger: "evidence_to_handler", to: toHandler, template: tmplHandlerUpdate, match: byReporter}},
}

// actionRules apply to follow-up actions (action_bipartite, ...): the
// reporter hears of each one they can see.
var actionRules = []rule{{trigger: "action_to_reporter", to: toReporter, template: tmplReporterUpdate, match: byStaffOrSystem}}

// rulesFor returns the rules of an event; internal events never reach the
// reporter whatever a rule says.
func rulesFor(kind, visibility string) []rule {
	rs, ok := rules[kind]
	if !ok && strings.HasPrefix(kind, cases.EventActionPrefix) {
		rs = actionRules
	}
	if visibility == cases.VisibilityReporter {
		return rs
	}
	return slices.DeleteFunc(slices.Clone(rs), func(r rule) bool { return r.to == toReporter })
}

func byStaff(p map[string]any) bool        { return str(p, "by") == "staff" }
func criticalFiling(p map[string]any) bool { return str(p, "urgency") == "critical" }
func urgentFiling(p map[string]any) bool   { return str(p, "urgency") == "high" }

func byReporter(p map[string]any) bool { return str(p, "by") == "reporter" }
func byStaffOrSystem(p map[string]any) bool {
	return str(p, "by") != "reporter"
}

// statusByStaff: a status change the reporter did not make themselves
// (verification, a question, resolution, rejection, ...).
func statusByStaff(p map[string]any) bool {
	return str(p, "by") != "reporter" && str(p, "to") != ""
}

func hasOfficer(p map[string]any) bool { return str(p, "officer") != "" }

// lowRating: any score in the payload of 2 or less.
func lowRating(p map[string]any) bool {
	for _, k := range []string{"rating", "handling", "outcome", "score"} {
		if f, ok := num(p, k); ok && f <= 2 {
			return true
		}
	}
	return false
}

// retaliation: a check-in answer reporting retaliation or a remedy that did
// not hold.
func retaliation(p map[string]any) bool {
	if b, ok := p["retaliation"].(bool); ok && b {
		return true
	}
	b, ok := p["remedy_held"].(bool)
	return ok && !b
}
