package web

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/tenant"
)

// cannedPreviewRunes is how much of a canned reply's body the list shows.
const cannedPreviewRunes = 120

type cannedRow struct {
	cases.CannedReply
	Preview string
}

// wordingRow is one status on the wording form: the tenant's labels (as
// stored, or as typed when the form was refused) over the default wording
// in each language, shown as placeholders.
type wordingRow struct {
	Status               cases.Status
	Label                string // the default wording in the reader's language
	ID, EN               string
	DefaultID, DefaultEN string
	FieldID, FieldEN     string // the inputs' names
}

type handlingSettingsData struct {
	Canned    []cannedRow
	NewCanned cases.CannedReply // the add form's values
	Wordings  []wordingRow
	Days      string // the reopen window, as stored or typed
	// words are the labels the wording form shows, as stored or typed;
	// Wordings lays them out.
	words map[cases.Status]cases.StatusWording
	// DefaultDays, MinDays and MaxDays word the reopen window's hint.
	DefaultDays, MinDays, MaxDays int
	// Errors are the refused form's field messages; the sections' field
	// names do not overlap, so one map serves the page.
	Errors map[string]string
	Error  string
	Saved  bool
}

func (s *Server) handlingSettingsPage(c *fiber.Ctx) error {
	return s.renderHandlingSettings(c, fiber.StatusOK, nil, nil)
}

// renderHandlingSettings shows the page with the stored settings. After a
// refused post, f carries why and keep puts back what was typed in the
// section that failed; the other sections show what is stored.
func (s *Server) renderHandlingSettings(c *fiber.Ctx, status int, f *form, keep func(*handlingSettingsData)) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	replies, err := s.cases.CannedReplies(ctx, t.ID, p, "")
	if err != nil {
		return err
	}
	words, err := s.cases.StatusWordings(ctx, t.ID)
	if err != nil {
		return err
	}
	st, err := s.admin.Settings(ctx, t, p)
	if err != nil {
		return err
	}
	pg := s.page(c, "admin.handling.title")
	d := handlingSettingsData{
		NewCanned: cases.CannedReply{Locale: pg.Locale}, words: words, Days: strconv.Itoa(st.ReopenWindow()),
		DefaultDays: tenant.DefaultReopenWindowDays, MinDays: tenant.MinReopenWindowDays, MaxDays: tenant.MaxReopenWindowDays,
		Errors: map[string]string{}, Saved: c.Query("saved") == "1",
	}
	for _, r := range replies {
		d.Canned = append(d.Canned, cannedRow{CannedReply: r, Preview: truncate(strings.Join(strings.Fields(r.Body), " "), cannedPreviewRunes)})
	}
	if f != nil {
		d.Errors, d.Error, d.Saved = f.Errors, f.Error, false
	}
	if keep != nil {
		keep(&d)
	}
	d.Wordings = s.wordingRows(pg, d.words)
	pg.Data = d
	return s.render(c, status, "admin_handling", pg)
}

// wordingRows lays out every status with words' labels over the default
// wording of both languages.
func (s *Server) wordingRows(pg *Page, words map[cases.Status]cases.StatusWording) []wordingRow {
	id, en := i18n.NewLocalizer(s.bundle, "id"), i18n.NewLocalizer(s.bundle, "en")
	rows := make([]wordingRow, 0, len(cases.AllStatuses()))
	for _, st := range cases.AllStatuses() {
		key := "case.status." + string(st)
		w := words[st]
		rows = append(rows, wordingRow{Status: st, Label: pg.T(key), ID: w.ID, EN: w.EN,
			DefaultID: translate(id, key), DefaultEN: translate(en, key),
			FieldID: cases.WordingField(st, "id"), FieldEN: cases.WordingField(st, "en")})
	}
	return rows
}

// handlingSettingsDone goes back to the page after a change, at the section
// that changed, or shows it again with what was typed and why not.
func (s *Server) handlingSettingsDone(c *fiber.Ctx, section string, err error, keep func(*handlingSettingsData)) error {
	return s.settingsFormDone(c, "/admin/handling?saved=1#"+section, err, func(f *form, status int) error {
		return s.renderHandlingSettings(c, status, f, keep)
	})
}

// settingsFormDone answers a settings form's post: on to saved when err is
// nil, else the page again through render, with why not (a 422 for refused
// input). Errors that are not the form's go to the error handler.
func (s *Server) settingsFormDone(c *fiber.Ctx, saved string, err error, render func(f *form, status int) error) error {
	if err == nil {
		return c.Redirect(saved, fiber.StatusSeeOther)
	}
	f, status, ferr := s.formFailure(c, err, nil)
	if ferr != nil {
		return ferr
	}
	return render(f, status)
}

func (s *Server) handlingCannedAdd(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	in := cases.CannedReply{Locale: c.FormValue("locale"), Title: c.FormValue("title"), Body: c.FormValue("body")}
	_, err = s.cases.AddCannedReply(c.UserContext(), t.ID, p, t.Slug, in)
	return s.handlingSettingsDone(c, "canned", err, func(d *handlingSettingsData) { d.NewCanned = in })
}

func (s *Server) handlingCannedDelete(c *fiber.Ctx) error {
	if err := s.deleteCannedReply(c); err != nil {
		return err
	}
	return s.handlingSettingsDone(c, "canned", nil, nil)
}

// handlingWordingsSave saves the whole wording form: a status left empty in
// both languages goes back to the default wording.
func (s *Server) handlingWordingsSave(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	typed := map[cases.Status]cases.StatusWording{}
	ws := make([]cases.StatusWording, 0, len(cases.AllStatuses()))
	for _, st := range cases.AllStatuses() {
		w := cases.StatusWording{Status: st, ID: c.FormValue(cases.WordingField(st, "id")), EN: c.FormValue(cases.WordingField(st, "en"))}
		typed[st] = w
		ws = append(ws, w)
	}
	err = s.cases.SetStatusWordings(c.UserContext(), t.ID, p, t.Slug, ws)
	return s.handlingSettingsDone(c, "wordings", err, func(d *handlingSettingsData) { d.words = typed })
}

func (s *Server) handlingReopenWindowSave(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	raw := c.FormValue("days")
	days, err := reopenDays(raw)
	if err == nil {
		err = s.admin.SetReopenWindow(c.UserContext(), t, p, days)
	}
	return s.handlingSettingsDone(c, "reopen", err, func(d *handlingSettingsData) { d.Days = raw })
}

func (s *Server) apiSetReopenWindow(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	// Raw, so that a string or a fraction gets the field's own message
	// rather than a decoding error.
	var body struct {
		Days json.RawMessage `json:"days"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	days, err := reopenDays(string(body.Days))
	if err == nil {
		err = s.admin.SetReopenWindow(c.UserContext(), t, p, days)
	}
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"days": days})
}

// reopenDays reads a reopen window as typed in the form or sent as a JSON
// number: a whole number, which SetReopenWindow checks for range.
func reopenDays(raw string) (int, error) {
	days, err := strconv.Atoi(strings.TrimSpace(raw))
	if err != nil {
		return 0, apperr.Invalid("days", "error.reopen_window_days")
	}
	return days, nil
}
