package web

import (
	"context"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/tenant"
)

// AssistedFiling is what an officer sends when filing for a worker who
// came to the office or phoned.
type AssistedFiling struct {
	cases.Filing
	Channel     string `json:"intake_channel" form:"intake_channel"`
	Consent     bool   `json:"consent" form:"consent"`
	WorkerName  string `json:"worker_name" form:"worker_name"`
	WorkerPhone string `json:"worker_phone" form:"worker_phone"`
}

// fileAssisted files for a worker. Named and confidential reports need the
// worker's phone (their account, made when they have none); an anonymous
// one takes nothing about the worker, and the officer is recorded nowhere.
func (s *Server) fileAssisted(ctx context.Context, t *tenant.Tenant, officer *auth.Principal, f AssistedFiling) (*cases.Filed, error) {
	var worker *auth.Principal
	if f.SafetyMode != string(cases.ModeAnonymous) {
		p, _, err := s.auth.WorkerByPhone(ctx, t, f.WorkerPhone, f.WorkerName, true)
		if err != nil {
			return nil, err
		}
		worker = p
	}
	return s.cases.FileVia(ctx, t, worker, f.Filing, cases.Intake{Channel: f.Channel, AssistedBy: officer, Consent: f.Consent})
}

func (s *Server) apiAssistedIntake(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	var f AssistedFiling
	if err := parseJSON(c, &f); err != nil {
		return err
	}
	out, err := s.fileAssisted(c.UserContext(), t, p, f)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(out)
}

type assistedData struct {
	Form       *form
	Types      []option
	Modes      []option
	Channels   []option
	Workplaces []option
}

func (s *Server) assistedForm(c *fiber.Ctx, t *tenant.Tenant, f *form, status int) error {
	p := s.page(c, "intake.title")
	wps, err := s.admin.WorkplaceDirectory(c.UserContext(), t.ID)
	if err != nil {
		return err
	}
	d := assistedData{Form: f}
	for _, ty := range []string{"complaint", "aspiration", "information"} {
		d.Types = append(d.Types, option{ty, p.T("case.type." + ty)})
	}
	d.Modes = append(d.Modes, option{"named", p.T("case.mode.named")}, option{"confidential", p.T("case.mode.confidential")})
	if t.Settings.AnonymousFiling {
		d.Modes = append(d.Modes, option{"anonymous", p.T("case.mode.anonymous")})
	}
	for _, ch := range cases.AssistedChannels {
		d.Channels = append(d.Channels, option{ch, p.T("intake.channel." + ch)})
	}
	for _, w := range wps {
		d.Workplaces = append(d.Workplaces, option{w.ID.String(), w.Label()})
	}
	p.Data = d
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, status, "staff_intake", p)
}

func (s *Server) assistedIntakePage(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	if _, err := requireTenantStaff(c); err != nil {
		return err
	}
	return s.assistedForm(c, t, &form{Values: AssistedFiling{Filing: cases.Filing{Type: "complaint", SafetyMode: "anonymous"},
		Channel: cases.ChannelWalkIn}}, fiber.StatusOK)
}

func (s *Server) assistedIntakeSubmit(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	var f AssistedFiling
	if err := c.BodyParser(&f.Filing); err != nil {
		return fiber.ErrBadRequest
	}
	f.Channel, f.WorkerName, f.WorkerPhone = strings.Clone(c.FormValue("intake_channel")),
		strings.Clone(c.FormValue("worker_name")), strings.Clone(c.FormValue("worker_phone"))
	f.Consent = c.FormValue("consent") == "yes"
	out, err := s.fileAssisted(c.UserContext(), t, p, f)
	if err != nil {
		fm, status, err := s.formFailure(c, err, f)
		if err != nil {
			return err
		}
		return s.assistedForm(c, t, fm, status)
	}
	pg := s.page(c, "case.filed_title")
	pg.Data = filedData{Filed: out, Receipt: cases.FormatReceipt(out.ReceiptCode)}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, fiber.StatusCreated, "staff_intake_filed", pg)
}

func (s *Server) transcriptSubmit(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	p, id, err := staffCaseOf(c)
	if err != nil {
		return err
	}
	if err := s.cases.AddTranscript(c.UserContext(), t.ID, p, id, strings.Clone(c.FormValue("transcript"))); err != nil {
		var ve *apperr.Validation
		if errors.As(err, &ve) {
			return s.staffCasePage(c, t, p, id, translate(reqCtx(c).loc, ve.Fields["transcript"]), fiber.StatusUnprocessableEntity)
		}
		return err
	}
	return c.Redirect("/staff/cases/"+id.String(), fiber.StatusSeeOther)
}
