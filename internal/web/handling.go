package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/cases"
)

func (s *Server) apiAllowedTransitions(c *fiber.Ctx) error {
	t, id, p, err := caseOf(c, requireSignedIn)
	if err != nil {
		return err
	}
	actor, list, err := s.cases.Allowed(c.UserContext(), t.ID, p, id)
	if err != nil {
		return err
	}
	if list == nil {
		list = []cases.Transition{}
	}
	return c.JSON(fiber.Map{"actor": actor, "allowed": list})
}

func (s *Server) apiTransition(c *fiber.Ctx) error {
	t, id, p, err := caseOf(c, requireSignedIn)
	if err != nil {
		return err
	}
	var in cases.TransitionInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	res, err := s.cases.Transition(c.UserContext(), t.ID, p, id, in)
	if err != nil {
		return err
	}
	return c.JSON(res)
}

func (s *Server) apiReopen(c *fiber.Ctx) error {
	t, id, p, err := caseOf(c, requireSignedIn)
	if err != nil {
		return err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	res, err := s.cases.Transition(c.UserContext(), t.ID, p, id, cases.TransitionInput{Transition: string(cases.TransitionReopen), Reason: body.Reason})
	if err != nil {
		return err
	}
	return c.JSON(res)
}

func (s *Server) apiAssign(c *fiber.Ctx) error {
	p, id, err := staffCaseOf(c)
	if err != nil {
		return err
	}
	var in cases.AssignInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	a, err := s.cases.Assign(c.UserContext(), p.TenantID, p, id, in)
	if err != nil {
		return err
	}
	return c.JSON(a)
}

func (s *Server) apiAction(c *fiber.Ctx) error {
	p, id, err := staffCaseOf(c)
	if err != nil {
		return err
	}
	var in cases.ActionInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	e, err := s.cases.RecordAction(c.UserContext(), p.TenantID, p, id, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(e)
}

func (s *Server) apiNote(c *fiber.Ctx) error {
	p, id, err := staffCaseOf(c)
	if err != nil {
		return err
	}
	var body struct {
		Body string `json:"body"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	e, err := s.cases.AddNote(c.UserContext(), p.TenantID, p, id, body.Body)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(e)
}

func (s *Server) apiPlaybook(c *fiber.Ctx) error {
	p, id, err := staffCaseOf(c)
	if err != nil {
		return err
	}
	steps, err := s.cases.Playbook(c.UserContext(), p.TenantID, p, id, reqCtx(c).Locale)
	if err != nil {
		return err
	}
	if steps == nil {
		steps = []string{}
	}
	return c.JSON(fiber.Map{"steps": steps})
}

func (s *Server) apiRate(c *fiber.Ctx) error {
	t, id, p, err := caseOf(c, requireSignedIn)
	if err != nil {
		return err
	}
	var in cases.RatingInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	r, err := s.cases.Rate(c.UserContext(), t.ID, p, id, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

// checkinNumber parses :n (1 or 2); anything else is not found.
func checkinNumber(c *fiber.Ctx) (int, error) {
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil || n < 1 || n > len(cases.CheckinAfterDays) {
		return 0, apperr.ErrNotFound
	}
	return n, nil
}

func (s *Server) apiCheckin(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	id, err := caseID(c, "id")
	if err != nil {
		return err
	}
	n, err := checkinNumber(c)
	if err != nil {
		return err
	}
	p, err := requireSignedIn(c)
	if err != nil {
		return err
	}
	var a cases.CheckinAnswer
	if err := parseJSON(c, &a); err != nil {
		return err
	}
	res, err := s.cases.AnswerCheckin(c.UserContext(), t.ID, p, id, n, a)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store") // may carry a new receipt code
	return c.JSON(res)
}

func (s *Server) apiCannedReplies(c *fiber.Ctx) error {
	p, err := requireTenantStaff(c)
	if err != nil {
		return err
	}
	list, err := s.cases.CannedReplies(c.UserContext(), p.TenantID, p, strings.ToLower(c.Query("locale")))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"canned_replies": list})
}

func (s *Server) apiAddCannedReply(c *fiber.Ctx) error {
	p, err := requireTenantStaff(c)
	if err != nil {
		return err
	}
	var r cases.CannedReply
	if err := parseJSON(c, &r); err != nil {
		return err
	}
	out, err := s.cases.AddCannedReply(c.UserContext(), p.TenantID, p, reqCtx(c).Tenant.Slug, r)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (s *Server) apiDeleteCannedReply(c *fiber.Ctx) error {
	if err := s.deleteCannedReply(c); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// deleteCannedReply deletes the canned reply :id of the request's tenant,
// for the page and the API. The role first, then the id: anyone but a
// federation admin is refused (403) whatever id they send: a malformed id
// goes to the service as uuid.Nil, which names no reply (404).
func (s *Server) deleteCannedReply(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, _ := uuid.Parse(c.Params("id"))
	return s.cases.DeleteCannedReply(c.UserContext(), t.ID, p, t.Slug, id)
}

// wordStatus is how the tenant words a status for reporters in locale:
// its own label when it set one (words), else the default wording.
func wordStatus(loc *i18n.Localizer, locale string, words map[cases.Status]cases.StatusWording, st cases.Status) string {
	if w, ok := words[st]; ok {
		if locale == "en" && w.EN != "" {
			return w.EN
		}
		if locale != "en" && w.ID != "" {
			return w.ID
		}
	}
	return translate(loc, "case.status."+string(st))
}

func (s *Server) apiStatuses(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	words, err := s.cases.StatusWordings(c.UserContext(), t.ID)
	if err != nil {
		return err
	}
	type status struct {
		Status cases.Status `json:"status"`
		Label  string       `json:"label"`
	}
	rc := reqCtx(c)
	out := make([]status, 0, len(cases.AllStatuses()))
	for _, st := range cases.AllStatuses() {
		out = append(out, status{st, wordStatus(rc.loc, rc.Locale, words, st)})
	}
	return c.JSON(fiber.Map{"statuses": out})
}

func (s *Server) apiSetStatusWording(c *fiber.Ctx) error {
	p, err := requireTenantStaff(c)
	if err != nil {
		return err
	}
	var w cases.StatusWording
	if err := parseJSON(c, &w); err != nil {
		return err
	}
	w.Status = cases.Status(c.Params("status"))
	if err := s.cases.SetStatusWording(c.UserContext(), p.TenantID, p, reqCtx(c).Tenant.Slug, w); err != nil {
		return err
	}
	return c.JSON(w)
}

func (s *Server) apiAddRoutingRule(c *fiber.Ctx) error {
	p, err := requireTenantStaff(c)
	if err != nil {
		return err
	}
	var r cases.RoutingRule
	if err := parseJSON(c, &r); err != nil {
		return err
	}
	out, err := s.cases.AddRoutingRule(c.UserContext(), p.TenantID, p, reqCtx(c).Tenant.Slug, r)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

func (s *Server) apiAddStaffConflict(c *fiber.Ctx) error {
	p, err := requireTenantStaff(c)
	if err != nil {
		return err
	}
	var body struct {
		UserID      string `json:"user_id"`
		WorkplaceID string `json:"workplace_id"`
		Reason      string `json:"reason"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	uid, err := uuid.Parse(body.UserID)
	if err != nil {
		return apperr.Invalid("user_id", "error.invalid_choice")
	}
	wid, err := uuid.Parse(body.WorkplaceID)
	if err != nil {
		return apperr.Invalid("workplace_id", "error.invalid_choice")
	}
	if err := s.cases.AddStaffConflict(c.UserContext(), p.TenantID, p, reqCtx(c).Tenant.Slug, uid, wid, body.Reason); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// apiOutcome records a resolved case's outcome (staff).
func (s *Server) apiOutcome(c *fiber.Ctx) error {
	p, id, err := staffCaseOf(c)
	if err != nil {
		return err
	}
	var in cases.OutcomeInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	o, err := s.cases.RecordOutcome(c.UserContext(), p.TenantID, p, id, in)
	if err != nil {
		return err
	}
	return c.JSON(o)
}
