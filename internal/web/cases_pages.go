package web

import (
	"errors"
	"io"
	"mime/multipart"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/evidence"
	"github.com/suara-id/suara/internal/notify"
	"github.com/suara-id/suara/internal/tenant"
)

// categoryOption is a category in the filing form, with its
// know-your-rights notice in the reader's language.
type categoryOption struct {
	Value, Label, Notice string
}

type newCaseData struct {
	Form       *form
	Types      []option
	Modes      []option
	Sectors    []option
	Workplaces []option
	Categories []categoryOption
	SignedIn   bool
	Hints      []cases.Hint
	Checked    bool
	// Key is the form's idempotency key: made when the form is first
	// shown, posted with it and kept in the browser's draft, so sending the
	// same form again (a retry after a lost reply) files one case.
	Key string
}

// formKey is the idempotency key a posted filing form carries, or a new one
// for a form shown afresh. Only a POST body supplies it: a key in a link
// cannot be planted on someone else's form.
func formKey(c *fiber.Ctx) string {
	if c.Method() == fiber.MethodPost {
		if k := c.FormValue("idempotency_key"); cases.ValidIdempotencyKey(k) {
			return strings.Clone(k)
		}
	}
	return uuid.NewString()
}

func (s *Server) newCaseForm(c *fiber.Ctx, t *tenant.Tenant, f *form, status int) error {
	p := s.page(c, "case.new_title")
	ctx := c.UserContext()
	wps, err := s.admin.WorkplaceDirectory(ctx, t.ID)
	if err != nil {
		return err
	}
	cats, err := s.admin.CategoryDirectory(ctx, t.ID)
	if err != nil {
		return err
	}
	d := newCaseData{Form: f, SignedIn: principal(c) != nil, Key: formKey(c)}
	if ex, ok := f.Extra.(*newCaseData); ok && ex.Key != "" {
		d.Key = ex.Key
	}
	for _, ty := range []string{"complaint", "aspiration", "information"} {
		d.Types = append(d.Types, option{ty, p.T("case.type." + ty)})
	}
	if d.SignedIn {
		d.Modes = append(d.Modes, option{"named", p.T("case.mode.named")}, option{"confidential", p.T("case.mode.confidential")})
	}
	if t.Settings.AnonymousFiling {
		d.Modes = append(d.Modes, option{"anonymous", p.T("case.mode.anonymous")})
	}
	for _, sec := range t.Sectors {
		d.Sectors = append(d.Sectors, option{sec, p.T(sectorKeys[sec])})
	}
	for _, w := range wps {
		d.Workplaces = append(d.Workplaces, option{w.ID.String(), w.Label()})
	}
	for i := range cats {
		d.Categories = append(d.Categories, categoryOption{cats[i].ID.String(), cats[i].Name(p.Locale), cats[i].Notice(p.Locale)})
	}
	if ex, ok := f.Extra.(*newCaseData); ok {
		d.Hints, d.Checked = ex.Hints, ex.Checked
	}
	p.Data = d
	return s.render(c, status, "case_new", p)
}

func (s *Server) newCasePage(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	mode := "anonymous"
	if principal(c) != nil {
		mode = "named"
	}
	// The form carries nothing personal: the app keeps it to file offline.
	c.Set(offlineHeader, "keep")
	return s.newCaseForm(c, t, &form{Values: cases.Filing{Type: "complaint", SafetyMode: mode}}, fiber.StatusOK)
}

type filedData struct {
	Filed         *cases.Filed
	Receipt       string
	EvidenceError string
}

func (s *Server) newCaseSubmit(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	var f cases.Filing
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	p := principal(c)
	ctx := c.UserContext()
	if c.FormValue("step") == "check" {
		// Show similar open cases at the workplace before sending.
		ex := &newCaseData{Checked: true}
		if wid, err := uuid.Parse(f.WorkplaceID); err == nil && p != nil {
			if ex.Hints, err = s.cases.DuplicateHints(ctx, t.ID, p, wid, f.Description); err != nil {
				return err
			}
		}
		return s.newCaseForm(c, t, &form{Values: f, Errors: map[string]string{}, Extra: ex}, fiber.StatusOK)
	}
	// The form's key makes a re-sent form (a retry after the reply was
	// lost, a reload of the POST) answer with the first filing's
	// confirmation instead of filing again. Forms from before the key
	// existed still file.
	var out *cases.Filed
	replayed := false
	key := c.FormValue("idempotency_key")
	if !cases.ValidIdempotencyKey(key) {
		key = "" // absent or mangled: file without
	}
	switch {
	case voiceOnly(c, f):
		// A voice note instead of a written story: filed as needing a
		// transcript, the recording attached below.
		out, err = s.cases.FileVia(ctx, t, p, f, cases.Intake{VoiceOnly: true})
	case key != "":
		out, replayed, err = s.cases.FileOnce(ctx, t, p, anonNamespace(c), strings.Clone(key), f)
	default:
		out, err = s.cases.File(ctx, t, p, f)
	}
	if err != nil {
		fm, status, err := s.formFailure(c, err, f)
		if err != nil {
			return err
		}
		if _, ok := fm.Errors["idempotency_key"]; ok {
			// Not a field the reporter can fix: say what happened. A key
			// used for a different report already filed that report, so
			// this form gets a fresh key and files anew when sent again.
			delete(fm.Errors, "idempotency_key")
			fm.Error = translate(reqCtx(c).loc, "error.form_in_progress")
			if status == fiber.StatusUnprocessableEntity {
				fm.Error = translate(reqCtx(c).loc, "error.form_already_sent")
				fm.Extra = &newCaseData{Key: uuid.NewString()}
			}
		}
		return s.newCaseForm(c, t, fm, status)
	}
	d := filedData{Filed: out, Receipt: cases.FormatReceipt(out.ReceiptCode)}
	// A replay's evidence came with the first request.
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 && !replayed {
		add := func(name, declared string, r io.Reader) (*cases.EvidenceFile, error) {
			if out.ReceiptCode != "" {
				sess, err := s.cases.MintReceiptSession(t.ID, out.ID)
				if err != nil {
					return nil, err
				}
				return s.cases.AddEvidenceByReceipt(ctx, t.ID, sess.Token, name, declared, r)
			}
			return s.cases.AddEvidence(ctx, t.ID, p, out.ID, name, declared, r)
		}
		if err := addFormFile(fh, add); err != nil {
			d.EvidenceError = s.evidenceMessage(c, err)
		}
	}
	pg := s.page(c, "case.filed_title")
	pg.Data = d
	// The receipt code is on this page only: no caching anywhere.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, fiber.StatusCreated, "case_filed", pg)
}

// addFormFile feeds an uploaded form file to add. Page forms are parsed by
// fasthttp, which spills large files to a temp file rather than memory.
func addFormFile(fh *multipart.FileHeader, add func(name, declared string, r io.Reader) (*cases.EvidenceFile, error)) error {
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = add(fh.Filename, fh.Header.Get(fiber.HeaderContentType), f)
	return err
}

// evidenceMessage is the reader's message for a refused upload, or the
// generic one.
func (s *Server) evidenceMessage(c *fiber.Ctx, err error) string {
	if code := evidence.Code(err); code != "" {
		return translate(reqCtx(c).loc, code)
	}
	if errors.Is(err, apperr.ErrNotFound) {
		return translate(reqCtx(c).loc, "error.not_found")
	}
	s.log.Error("evidence upload", "err", err)
	return translate(reqCtx(c).loc, "error.internal")
}

func (s *Server) myCasesPage(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	p := principal(c)
	if p == nil {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	list, next, err := s.cases.ListMine(c.UserContext(), t.ID, p, c.Query("cursor"), 0)
	if err != nil {
		return err
	}
	pg := s.page(c, "case.mine_title")
	pg.Data = map[string]any{"Cases": list, "Next": next}
	return s.render(c, fiber.StatusOK, "my_cases", pg)
}

type caseData struct {
	Case     *cases.View
	Receipt  string // set on the receipt view: forms carry it in their body
	Reporter *cases.Identity
	Error    string
	Notice   string
	Staff    bool
	// Notifications are the anonymous reporter's in-app notifications,
	// shown on the receipt view: they have no account, hence no inbox.
	Notifications []notify.Item
	// Form is what the reporter typed in a form that failed (journey.go);
	// Journey is what their case page offers them (set by showCase).
	Form    map[string]string
	Journey *reporterJourney
}

func (s *Server) showCase(c *fiber.Ctx, d caseData, status int) error {
	pg := s.page(c, "case.status_title")
	pg.Data, pg.forReporter = d, true
	c.Set(fiber.HeaderCacheControl, "no-store")
	name := "case_show"
	if d.Receipt != "" {
		name = "receipt_case"
	} else if d.Case != nil && d.Case.AsReporter {
		d.Journey = journeyOf(d.Case)
		pg.Data = d
	}
	return s.render(c, status, name, pg)
}

func (s *Server) casePage(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	id, err := caseID(c, "id")
	if err != nil {
		return err
	}
	p := principal(c)
	if p == nil {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	if p.IsStaff() {
		return s.staffCasePage(c, t, p, id, "", fiber.StatusOK) // handling_pages.go
	}
	v, err := s.cases.Get(c.UserContext(), t.ID, p, id)
	if err != nil {
		return err
	}
	d := caseData{Case: v, Reporter: v.Reporter, Staff: p.IsStaff()}
	if c.Query("rated") == "1" {
		d.Notice = translate(reqCtx(c).loc, "handling.rated")
	} else if key, ok := doneNotices[c.Query("done")]; ok {
		d.Notice = translate(reqCtx(c).loc, key)
	}
	return s.showCase(c, d, fiber.StatusOK)
}

func (s *Server) caseMessageSubmit(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	id, err := caseID(c, "id")
	if err != nil {
		return err
	}
	p := principal(c)
	if _, err := s.cases.AddMessage(c.UserContext(), t.ID, p, id, c.FormValue("body")); err != nil {
		var ve *apperr.Validation
		if !errors.As(err, &ve) {
			return err
		}
		// Shown again with the message and what was typed.
		v, gerr := s.cases.Get(c.UserContext(), t.ID, p, id)
		if gerr != nil {
			return gerr
		}
		return s.reporterFailed(c, v, translate(reqCtx(c).loc, ve.Fields["body"]), fiber.StatusUnprocessableEntity)
	}
	if p != nil && !p.IsStaff() {
		return c.Redirect("/cases/"+id.String()+"?done=message", fiber.StatusSeeOther)
	}
	return c.Redirect("/cases/"+id.String(), fiber.StatusSeeOther)
}

func (s *Server) caseEvidenceSubmit(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	id, err := caseID(c, "id")
	if err != nil {
		return err
	}
	p := principal(c)
	ctx := c.UserContext()
	fh, err := c.FormFile("file")
	if err != nil {
		return apperr.Invalid("file", "error.required")
	}
	err = addFormFile(fh, func(name, declared string, r io.Reader) (*cases.EvidenceFile, error) {
		return s.cases.AddEvidence(ctx, t.ID, p, id, name, declared, r)
	})
	if err != nil && evidence.Code(err) == "" {
		return err
	}
	v, gerr := s.cases.Get(ctx, t.ID, p, id)
	if gerr != nil {
		return gerr
	}
	d := caseData{Case: v, Reporter: v.Reporter, Staff: p.IsStaff()}
	status := fiber.StatusOK
	if err != nil {
		d.Error, status = s.evidenceMessage(c, err), evidenceStatus(evidence.Code(err))
	} else {
		d.Notice = translate(reqCtx(c).loc, "case.evidence_added")
	}
	return s.showCase(c, d, status)
}

func (s *Server) caseSupportSubmit(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	id, err := caseID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.cases.Support(c.UserContext(), t.ID, principal(c), id); err != nil {
		return err
	}
	pg := s.page(c, "case.supported_title")
	return s.render(c, fiber.StatusOK, "case_supported", pg)
}

func (s *Server) caseRevealSubmit(c *fiber.Ctx) error {
	t, id, p, err := caseOf(c, requireTenantStaff)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	ident, rerr := s.cases.RevealIdentity(ctx, t.ID, p, id, c.FormValue("reason"))
	var ve *apperr.Validation
	if rerr != nil && !errors.As(rerr, &ve) {
		return rerr
	}
	v, err := s.cases.Get(ctx, t.ID, p, id)
	if err != nil {
		return err
	}
	d := caseData{Case: v, Reporter: v.Reporter, Staff: true}
	status := fiber.StatusOK
	if rerr != nil {
		d.Error, status = translate(reqCtx(c).loc, ve.Fields["reason"]), fiber.StatusUnprocessableEntity
	} else {
		d.Reporter = ident
	}
	return s.showCase(c, d, status)
}

// voiceOnly reports whether a filing form carries no written story but an
// audio file (a voice note).
func voiceOnly(c *fiber.Ctx, f cases.Filing) bool {
	if strings.TrimSpace(f.Description) != "" {
		return false
	}
	fh, err := c.FormFile("file")
	if err != nil || fh.Size == 0 {
		return false
	}
	return cases.DeclaredKind(fh.Filename, fh.Header.Get("Content-Type")) == evidence.KindAudio
}
