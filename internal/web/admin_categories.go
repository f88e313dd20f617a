package web

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/tenant"
)

// categoryJSON is a category on the admin API.
type categoryJSON struct {
	ID                   uuid.UUID   `json:"id"`
	Slug                 string      `json:"slug"`
	ParentID             *uuid.UUID  `json:"parent_id"`
	NameID               string      `json:"name_id"`
	NameEN               string      `json:"name_en"`
	DescriptionID        string      `json:"description_id"`
	DescriptionEN        string      `json:"description_en"`
	Sectors              []string    `json:"sectors"`
	SLAFirstResponseDays int         `json:"sla_first_response_days"`
	SLAResolutionDays    int         `json:"sla_resolution_days"`
	Restricted           bool        `json:"restricted"`
	NoticeID             string      `json:"notice_id"`
	NoticeEN             string      `json:"notice_en"`
	PlaybookID           []string    `json:"playbook_id"`
	PlaybookEN           []string    `json:"playbook_en"`
	Keywords             []string    `json:"keywords"`
	Examples             []string    `json:"examples"`
	Active               bool        `json:"active"`
	SortOrder            int         `json:"sort_order"`
	UpdatedAt            time.Time   `json:"updated_at"`
	MergedInto           *uuid.UUID  `json:"merged_into,omitempty"`
	Handlers             []uuid.UUID `json:"handlers,omitempty"`
	Cases                *int        `json:"cases,omitempty"`
	Depth                *int        `json:"depth,omitempty"`
}

func categoryOut(c *tenant.Category) categoryJSON {
	return categoryJSON{ID: c.ID, Slug: c.Slug, ParentID: c.ParentID, NameID: c.NameID, NameEN: c.NameEN,
		DescriptionID: c.DescriptionID, DescriptionEN: c.DescriptionEN, Sectors: c.Sectors,
		SLAFirstResponseDays: c.SLAFirstResponseDays, SLAResolutionDays: c.SLAResolutionDays, Restricted: c.Restricted,
		NoticeID: c.NoticeID, NoticeEN: c.NoticeEN, PlaybookID: c.PlaybookID, PlaybookEN: c.PlaybookEN,
		Keywords: c.Keywords, Examples: c.Examples, Active: c.Active, SortOrder: c.SortOrder, UpdatedAt: c.UpdatedAt}
}

func adminCategoryOut(c *cases.AdminCategory) categoryJSON {
	out := categoryOut(&c.Category)
	out.MergedInto, out.Handlers = c.MergedInto, c.Handlers
	n, d := c.Cases, c.Depth
	out.Cases, out.Depth = &n, &d
	return out
}

func (s *Server) apiAdminCategories(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	cats, err := s.cases.AdminCategories(c.UserContext(), t, p)
	if err != nil {
		return err
	}
	out := make([]categoryJSON, len(cats))
	for i := range cats {
		out[i] = adminCategoryOut(&cats[i])
	}
	return c.JSON(fiber.Map{"categories": out})
}

func (s *Server) apiAdminCategory(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, err := s.adminID(c, t, p, "category", "read")
	if err != nil {
		return err
	}
	cat, err := s.cases.AdminCategory(c.UserContext(), t, p, id)
	if err != nil {
		return err
	}
	return c.JSON(adminCategoryOut(cat))
}

func (s *Server) apiCreateCategory(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	var in tenant.CategoryInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	cat, err := s.admin.CreateCategory(c.UserContext(), t, p, in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(categoryOut(cat))
}

func (s *Server) apiUpdateCategory(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, err := s.adminID(c, t, p, "category", "update")
	if err != nil {
		return err
	}
	var in tenant.CategoryInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	cat, err := s.admin.UpdateCategory(c.UserContext(), t, p, id, in)
	if err != nil {
		return err
	}
	return c.JSON(categoryOut(cat))
}

func (s *Server) apiDeleteCategory(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, err := s.adminID(c, t, p, "category", "delete")
	if err != nil {
		return err
	}
	if err := s.cases.DeleteCategory(c.UserContext(), t, p, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiSetCategoryActive(active bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		t, p, err := staffOf(c)
		if err != nil {
			return err
		}
		id, err := s.adminID(c, t, p, "category", "update")
		if err != nil {
			return err
		}
		if err := s.admin.SetCategoryActive(c.UserContext(), t, p, id, active); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
}

func (s *Server) apiReorderCategories(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	var body struct {
		IDs []uuid.UUID `json:"ids"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	if err := s.admin.ReorderCategories(c.UserContext(), t, p, body.IDs); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (s *Server) apiMergeCategory(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, err := s.adminID(c, t, p, "category", "merge")
	if err != nil {
		return err
	}
	var body struct {
		Into string `json:"into"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	into, err := uuid.Parse(body.Into)
	if err != nil {
		return apperr.Invalid("into", "error.invalid")
	}
	n, err := s.cases.MergeCategories(c.UserContext(), t, p, id, into)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"moved_cases": n})
}

// Pages.

// categoryForm is the category form's fields as posted; list fields are
// one entry a line (keywords: also comma-separated).
type categoryForm struct {
	Slug                 string   `form:"slug"`
	ParentID             string   `form:"parent_id"`
	NameID               string   `form:"name_id"`
	NameEN               string   `form:"name_en"`
	DescriptionID        string   `form:"description_id"`
	DescriptionEN        string   `form:"description_en"`
	Sectors              []string `form:"sectors"`
	SLAFirstResponseDays string   `form:"sla_first_response_days"`
	SLAResolutionDays    string   `form:"sla_resolution_days"`
	Restricted           bool     `form:"restricted"`
	NoticeID             string   `form:"notice_id"`
	NoticeEN             string   `form:"notice_en"`
	PlaybookID           string   `form:"playbook_id"`
	PlaybookEN           string   `form:"playbook_en"`
	Keywords             string   `form:"keywords"`
	Examples             string   `form:"examples"`
	Handlers             []string `form:"handlers"`
}

func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// input turns the form into a full CategoryInput (a form always sends
// every field). A number that does not parse becomes 0, which the service
// refuses with its own message.
func (f *categoryForm) input() tenant.CategoryInput {
	num := func(s string) *int {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			n = 0
		}
		return &n
	}
	keywords := lines(strings.ReplaceAll(f.Keywords, ",", "\n"))
	pb, pbe, ex := lines(f.PlaybookID), lines(f.PlaybookEN), lines(f.Examples)
	secs, handlers := slices.Clone(f.Sectors), slices.Clone(f.Handlers)
	if secs == nil {
		secs = []string{}
	}
	if handlers == nil {
		handlers = []string{}
	}
	return tenant.CategoryInput{Slug: &f.Slug, ParentID: &f.ParentID, NameID: &f.NameID, NameEN: &f.NameEN,
		DescriptionID: &f.DescriptionID, DescriptionEN: &f.DescriptionEN, Sectors: &secs,
		SLAFirstResponseDays: num(f.SLAFirstResponseDays), SLAResolutionDays: num(f.SLAResolutionDays),
		Restricted: &f.Restricted, NoticeID: &f.NoticeID, NoticeEN: &f.NoticeEN, PlaybookID: &pb, PlaybookEN: &pbe,
		Keywords: &keywords, Examples: &ex, Handlers: &handlers}
}

func formOf(c *cases.AdminCategory) *categoryForm {
	hs := make([]string, len(c.Handlers))
	for i, h := range c.Handlers {
		hs[i] = h.String()
	}
	parent := ""
	if c.ParentID != nil {
		parent = c.ParentID.String()
	}
	return &categoryForm{Slug: c.Slug, ParentID: parent, NameID: c.NameID, NameEN: c.NameEN, DescriptionID: c.DescriptionID,
		DescriptionEN: c.DescriptionEN, Sectors: c.Sectors, SLAFirstResponseDays: strconv.Itoa(c.SLAFirstResponseDays),
		SLAResolutionDays: strconv.Itoa(c.SLAResolutionDays), Restricted: c.Restricted, NoticeID: c.NoticeID, NoticeEN: c.NoticeEN,
		PlaybookID: strings.Join(c.PlaybookID, "\n"), PlaybookEN: strings.Join(c.PlaybookEN, "\n"),
		Keywords: strings.Join(c.Keywords, ", "), Examples: strings.Join(c.Examples, "\n"), Handlers: hs}
}

// categoryRow is one line of the categories table.
type categoryRow struct {
	cases.AdminCategory
	Label, Parent, MergedInto string
	Indent                    string
}

type checkOption struct {
	Value, Label string
	Checked      bool
}

type categoriesData struct {
	Rows     []categoryRow
	Form     *form
	Parents  []option
	Sectors  []checkOption
	Handlers []checkOption
	Current  *categoryRow // the edit page's category
	Targets  []option     // merge targets
	Saved    bool
}

// categoriesPage renders the list (current == nil) or one category's edit
// page, with f as the form to show.
func (s *Server) categoriesPage(c *fiber.Ctx, t *tenant.Tenant, p *auth.Principal, current *uuid.UUID, f *form, status int) error {
	pg := s.page(c, "admin.categories.title")
	ctx := c.UserContext()
	all, err := s.cases.AdminCategories(ctx, t, p)
	if err != nil {
		return err
	}
	byID := map[uuid.UUID]*cases.AdminCategory{}
	for i := range all {
		byID[all[i].ID] = &all[i]
	}
	d := categoriesData{Form: f, Saved: c.Query("saved") != ""}
	for _, cat := range all {
		r := categoryRow{AdminCategory: cat, Label: cat.Name(pg.Locale), Indent: strings.Repeat("— ", cat.Depth)}
		if cat.ParentID != nil && byID[*cat.ParentID] != nil {
			r.Parent = byID[*cat.ParentID].Name(pg.Locale)
		}
		if cat.MergedInto != nil && byID[*cat.MergedInto] != nil {
			r.MergedInto = byID[*cat.MergedInto].Name(pg.Locale)
		}
		d.Rows = append(d.Rows, r)
		if current != nil && cat.ID == *current {
			d.Current = &d.Rows[len(d.Rows)-1]
		}
		if cat.MergedInto == nil && (current == nil || cat.ID != *current) {
			d.Parents = append(d.Parents, option{cat.ID.String(), r.Indent + r.Label})
			if cat.Active {
				d.Targets = append(d.Targets, option{cat.ID.String(), r.Indent + r.Label})
			}
		}
	}
	if current != nil && d.Current == nil {
		return apperr.ErrNotFound
	}
	cf, _ := f.Values.(*categoryForm)
	for _, sec := range t.Sectors {
		d.Sectors = append(d.Sectors, checkOption{sec, pg.T(sectorKeys[sec]), cf != nil && slices.Contains(cf.Sectors, sec)})
	}
	staff, err := s.auth.Staff(ctx, p)
	if err != nil {
		return err
	}
	seen := map[uuid.UUID]bool{}
	for _, m := range staff {
		if seen[m.UserID] {
			continue
		}
		seen[m.UserID] = true
		d.Handlers = append(d.Handlers, checkOption{m.UserID.String(), m.Name + " (" + m.Email + ")", cf != nil && slices.Contains(cf.Handlers, m.UserID.String())})
	}
	pg.Data = d
	if current != nil {
		pg.Title = d.Current.Label
	}
	// One template for the list and the edit page: they share the form.
	return s.render(c, status, "admin_categories", pg)
}

func (s *Server) adminCategoriesPage(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	blank := &categoryForm{SLAFirstResponseDays: "3", SLAResolutionDays: "30"}
	return s.categoriesPage(c, t, p, nil, &form{Values: blank, Errors: map[string]string{}}, fiber.StatusOK)
}

func (s *Server) adminCategoryPage(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, err := s.adminID(c, t, p, "category", "read")
	if err != nil {
		return err
	}
	cat, err := s.cases.AdminCategory(c.UserContext(), t, p, id)
	if err != nil {
		return err
	}
	return s.categoriesPage(c, t, p, &id, &form{Values: formOf(cat), Errors: map[string]string{}}, fiber.StatusOK)
}

func (s *Server) adminCategoryCreate(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	var f categoryForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	cat, err := s.admin.CreateCategory(c.UserContext(), t, p, f.input())
	if err != nil {
		fm, status, ferr := s.formFailure(c, err, &f)
		if ferr != nil {
			return ferr
		}
		return s.categoriesPage(c, t, p, nil, fm, status)
	}
	return c.Redirect("/admin/categories/"+cat.ID.String()+"?saved=1", fiber.StatusSeeOther)
}

func (s *Server) adminCategoryUpdate(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, err := s.adminID(c, t, p, "category", "update")
	if err != nil {
		return err
	}
	var f categoryForm
	if err := c.BodyParser(&f); err != nil {
		return fiber.ErrBadRequest
	}
	in := f.input()
	in.Slug = nil // fixed after creation; the edit form shows it read-only
	if _, err := s.admin.UpdateCategory(c.UserContext(), t, p, id, in); err != nil {
		fm, status, ferr := s.formFailure(c, err, &f)
		if ferr != nil {
			return ferr
		}
		return s.categoriesPage(c, t, p, &id, fm, status)
	}
	return c.Redirect("/admin/categories/"+id.String()+"?saved=1", fiber.StatusSeeOther)
}

// categoryActionPermission is what each small form of the categories pages
// asks of the category service.
var categoryActionPermission = map[string]string{"hide": "update", "show": "update", "up": "update", "down": "update", "merge": "merge", "delete": "delete"}

// adminCategoryAction handles the small forms of the list and edit pages:
// hide, show, up, down, merge and delete.
func (s *Server) adminCategoryAction(c *fiber.Ctx) error {
	action := c.Params("action")
	if categoryActionPermission[action] == "" {
		return fiber.ErrNotFound
	}
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	id, err := s.adminID(c, t, p, "category", categoryActionPermission[action])
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	back := "/admin/categories"
	switch action {
	case "hide", "show":
		err = s.admin.SetCategoryActive(ctx, t, p, id, action == "show")
	case "up":
		err = s.admin.MoveCategory(ctx, t, p, id, -1)
	case "down":
		err = s.admin.MoveCategory(ctx, t, p, id, 1)
	case "merge":
		into, perr := uuid.Parse(c.FormValue("into"))
		if perr != nil {
			err = apperr.Invalid("into", "error.invalid")
			break
		}
		_, err = s.cases.MergeCategories(ctx, t, p, id, into)
		back = "/admin/categories/" + into.String()
	case "delete":
		err = s.cases.DeleteCategory(ctx, t, p, id)
	}
	if err != nil {
		fm, status, ferr := s.formFailure(c, err, nil)
		if ferr != nil {
			return ferr
		}
		cat, cerr := s.cases.AdminCategory(ctx, t, p, id)
		if cerr != nil {
			return cerr
		}
		fm.Values = formOf(cat)
		return s.categoriesPage(c, t, p, &id, fm, status)
	}
	return c.Redirect(back+"?saved=1", fiber.StatusSeeOther)
}
