package web

import (
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/evidence"
	"github.com/suara-id/suara/internal/tenant"
)

// reporterJourney is what the reporter's case page offers besides the
// thread: the question staff asked, open check-ins, whether a rating,
// a reopen or a withdrawal is possible.
type reporterJourney struct {
	InfoRequest string // the reason staff gave with request_info, when the case waits for it
	WaitingInfo bool
	Checkins    []int
	Rated       bool
	CanRate     bool
	CanReopen   bool
	CanWithdraw bool
}

func journeyOf(v *cases.View) *reporterJourney {
	j := &reporterJourney{Checkins: openCheckins(v.Events)}
	for _, e := range v.Events {
		switch e.Kind {
		case cases.EventRated:
			j.Rated = true
		case cases.EventStatusChanged:
			var p struct {
				To, Reason string
			}
			if json.Unmarshal([]byte(e.Payload), &p) == nil && p.To == string(cases.StatusNeedsInfo) {
				j.InfoRequest = p.Reason
			}
		}
	}
	st := v.Status
	j.WaitingInfo = st == cases.StatusNeedsInfo
	j.CanRate = (st == cases.StatusResolved || st == cases.StatusClosed) && !j.Rated
	j.CanReopen = st == cases.StatusResolved
	j.CanWithdraw = cases.IsOpen(st)
	return j
}

// postedForm is what the reporter sent in the form that failed, so the
// page shows it again: every field but the CSRF token, under the name of
// the form it came from (the hidden "form" field).
func postedForm(c *fiber.Ctx) map[string]string {
	out := map[string]string{}
	args := c.Request().PostArgs()
	args.VisitAll(func(k, v []byte) {
		if string(k) != "_csrf" {
			out[string(k)] = string(v)
		}
	})
	if mf, err := c.MultipartForm(); err == nil && mf != nil {
		for k, vs := range mf.Value {
			if k != "_csrf" && len(vs) > 0 {
				out[k] = vs[0]
			}
		}
	}
	return out
}

// reporterCase is the reporter's own case for a page form: staff and
// strangers get not found (the service decides who the reporter is).
func (s *Server) reporterCase(c *fiber.Ctx) (*tenant.Tenant, *cases.View, error) {
	t, p, id, err := pageCase(c)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.cases.Get(c.UserContext(), t.ID, p, id)
	if err != nil {
		return nil, nil, err
	}
	if !v.AsReporter {
		return nil, nil, apperr.ErrNotFound
	}
	return t, v, nil
}

// reporterFailed shows the reporter's case again with msg and what they
// typed in the form that failed.
func (s *Server) reporterFailed(c *fiber.Ctx, v *cases.View, msg string, status int) error {
	return s.showCase(c, caseData{Case: v, Reporter: v.Reporter, Error: msg, Form: postedForm(c)}, status)
}

// caseInfoSubmit answers a request for information: the text goes on the
// thread and the case goes back to the union (its clock runs again); a file
// sent with it is attached first, so a refused file leaves the case
// waiting and the text in the form.
func (s *Server) caseInfoSubmit(c *fiber.Ctx) error {
	t, v, err := s.reporterCase(c)
	if err != nil {
		return err
	}
	loc := reqCtx(c).loc
	p := principal(c)
	ctx := c.UserContext()
	body := c.FormValue("body")
	if strings.TrimSpace(body) == "" {
		return s.reporterFailed(c, v, translate(loc, "journey.info_required"), fiber.StatusUnprocessableEntity)
	}
	if v.Status != cases.StatusNeedsInfo {
		return s.reporterFailed(c, v, translate(loc, "journey.info_not_waiting"), fiber.StatusConflict)
	}
	if fh, ferr := c.FormFile("file"); ferr == nil && fh.Size > 0 {
		err := addFormFile(fh, func(name, declared string, r io.Reader) (*cases.EvidenceFile, error) {
			return s.cases.AddEvidence(ctx, t.ID, p, v.ID, name, declared, r)
		})
		if err != nil {
			if code := evidence.Code(err); code != "" {
				return s.reporterFailed(c, v, s.evidenceMessage(c, err), evidenceStatus(code))
			}
			return err
		}
	}
	_, err = s.cases.AnswerInfoRequest(ctx, t.ID, p, v.ID, body)
	var ve *apperr.Validation
	var te *cases.TransitionError
	switch {
	case err == nil:
		return c.Redirect("/cases/"+v.ID.String()+"?done=info", fiber.StatusSeeOther)
	case errors.As(err, &ve):
		return s.reporterFailed(c, v, translate(loc, ve.Fields["body"]), fiber.StatusUnprocessableEntity)
	case errors.As(err, &te):
		return s.reporterFailed(c, v, translate(loc, "journey.info_not_waiting"), fiber.StatusConflict)
	}
	return err
}

// caseWithdrawSubmit withdraws the reporter's open case; the page asks for
// a reason, which the union sees on the timeline.
func (s *Server) caseWithdrawSubmit(c *fiber.Ctx) error {
	t, v, err := s.reporterCase(c)
	if err != nil {
		return err
	}
	loc := reqCtx(c).loc
	reason := strings.TrimSpace(c.FormValue("reason"))
	switch {
	case reason == "":
		return s.reporterFailed(c, v, translate(loc, "journey.withdraw_reason_required"), fiber.StatusUnprocessableEntity)
	case utf8.RuneCountInString(reason) > cases.MaxReasonRunes:
		return s.reporterFailed(c, v, translate(loc, "error.reason_too_long"), fiber.StatusUnprocessableEntity)
	}
	_, err = s.cases.Transition(c.UserContext(), t.ID, principal(c), v.ID, cases.TransitionInput{Transition: string(cases.TransitionWithdraw), Reason: reason})
	var ve *apperr.Validation
	var te *cases.TransitionError
	switch {
	case err == nil:
		return c.Redirect("/cases/"+v.ID.String()+"?done=withdrawn", fiber.StatusSeeOther)
	case errors.As(err, &ve):
		return s.reporterFailed(c, v, translate(loc, ve.Fields["reason"]), fiber.StatusUnprocessableEntity)
	case errors.As(err, &te):
		return s.reporterFailed(c, v, translate(loc, "error.conflict"), fiber.StatusConflict)
	}
	return err
}

// doneNotices are the thank-you lines shown after a reporter's form
// (?done=...), by message id.
var doneNotices = map[string]string{
	"info": "journey.done.info", "withdrawn": "journey.done.withdrawn", "message": "journey.done.message",
	"checkin": "journey.done.checkin", "reopened": "journey.done.reopened",
}

// homeCases is how many of the worker's cases their home page lists.
const homeCases = 5

// workerHome adds the signed-in worker's part of the home page: their
// latest cases with what each waits for from them.
func (s *Server) workerHome(c *fiber.Ctx, t *tenant.Tenant, data map[string]any) error {
	p := principal(c)
	if p == nil || p.IsStaff() || p.TenantID != t.ID {
		return nil
	}
	ctx := c.UserContext()
	list, next, err := s.cases.ListMine(ctx, t.ID, p, "", homeCases)
	if err != nil {
		return err
	}
	mine, err := s.cases.WaitingOnReporter(ctx, t.ID, list)
	if err != nil {
		return err
	}
	waiting := 0
	for _, m := range mine {
		if m.Waiting != "" {
			waiting++
		}
	}
	data["Mine"], data["More"], data["Waiting"], data["Worker"] = mine, next != "", waiting, true
	return nil
}

// journeyPage gives a signed-in worker's and a union officer's pages their
// navigation: the unread count of the "Notifications" link (counted when
// the layout asks, once) and the branch names the profile shows instead of
// paths.
func (s *Server) journeyPage(c *fiber.Ctx, p *Page) {
	rc := reqCtx(c)
	pr, t := rc.Principal, rc.Tenant
	if pr == nil || t == nil || pr.TenantID != t.ID {
		return
	}
	ctx := c.UserContext()
	p.Worker = !pr.IsStaff() && pr.Kind != "platform"
	p.Staff = pr.IsStaff() && pr.Kind != "platform"
	if (p.Worker || p.Staff) && s.notify != nil {
		p.unread = sync.OnceValue(func() int {
			n, err := s.notify.Unread(ctx, t.ID, pr)
			if err != nil {
				s.log.Warn("unread notifications: no count shown", "err", err)
			}
			return n
		})
	}
	p.branchNames = sync.OnceValue(func() map[string]string {
		out := map[string]string{}
		if s.admin == nil {
			return out
		}
		bs, err := s.admin.BranchDirectory(ctx, t.ID)
		if err != nil {
			s.log.Warn("branch names: paths shown", "err", err)
			return out
		}
		for _, b := range bs {
			out[b.Path] = b.Name
		}
		return out
	})
}

// Unread is the signed-in worker's or officer's unread notification count
// (0 for everyone else).
func (p *Page) Unread() int {
	if p.unread == nil {
		return 0
	}
	return p.unread()
}

// Place says in plain words where a role applies: the union's name for
// the whole union ("spn/*", "spn"), else the branch's name.
func (p *Page) Place(domain string) string {
	path := strings.TrimSuffix(strings.TrimSuffix(domain, "*"), "/")
	if p.Tenant != nil && (path == p.Tenant.Slug || path == "") {
		return p.Tenant.Name
	}
	if p.branchNames != nil {
		if n := p.branchNames()[path]; n != "" {
			return n
		}
	}
	return path
}

// offlineHeader marks a page the service worker may keep for offline use
// (static/sw.js): only pages with nothing personal on them.
const offlineHeader = "X-Suara-Offline"

// examples are the problems a sector's workers recognise, shown on the
// home page of a union in that sector (message ids).
var examples = map[string][]string{
	"palm_oil": {"journey.examples.palm_oil.quota", "journey.examples.palm_oil.pesticide", "journey.examples.palm_oil.bhl", "journey.examples.palm_oil.housing"},
}

func sectorExamples(p *Page, sectors []string) []string {
	var out []string
	for _, sec := range sectors {
		for _, id := range examples[sec] {
			out = append(out, p.T(id))
		}
	}
	return out
}

// doneAfter names the reporter form that just succeeded, for its notice.
func doneAfter(c *fiber.Ctx) string {
	switch {
	case strings.Contains(c.Path(), "/checkins/"):
		return "checkin"
	case c.FormValue("transition") == string(cases.TransitionReopen):
		return "reopened"
	}
	return ""
}
