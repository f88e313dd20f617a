package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/tenant"
)

// The union's tag vocabulary (issue 25): list, add, retire. tenant.Admin
// checks tag read, create and update itself (federation admins). Like the
// brand directory, each change has one handler for its API route and its
// page route (routes.go): the same input from a JSON body or a form.

// tagJSON is a tag on the admin API.
type tagJSON struct {
	Slug      string     `json:"slug"`
	NameID    string     `json:"name_id"`
	NameEN    string     `json:"name_en"`
	Active    bool       `json:"active"`
	RetiredAt *time.Time `json:"retired_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

func tagOut(t *tenant.Tag) tagJSON {
	return tagJSON{Slug: t.Slug, NameID: t.NameID, NameEN: t.NameEN, Active: t.Active(), RetiredAt: t.RetiredAt, CreatedAt: t.CreatedAt}
}

func (s *Server) apiTags(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	tags, err := s.admin.Tags(c.UserContext(), t, p)
	if err != nil {
		return err
	}
	out := make([]tagJSON, len(tags))
	for i := range tags {
		out[i] = tagOut(&tags[i])
	}
	return c.JSON(fiber.Map{"tags": out})
}

func (s *Server) tagsAdd(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	var in tenant.TagInput
	if err := jsonOrFormBody(c, &in); err != nil {
		return err
	}
	tag, err := s.admin.AddTag(c.UserContext(), t, p, in)
	if isAPI(c) {
		if err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(tagOut(tag))
	}
	return s.settingsFormDone(c, "/admin/tags?done=added", err, func(f *form, status int) error {
		return s.renderTags(c, status, f, in)
	})
}

func (s *Server) tagsRetire(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	slug := c.Params("slug") // the API names it in the path, the page's form in a field
	if !isAPI(c) {
		slug = c.FormValue("slug")
	}
	err = s.admin.RetireTag(c.UserContext(), t, p, slug)
	if isAPI(c) {
		if err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
	return s.settingsFormDone(c, "/admin/tags?done=retired", err, func(f *form, status int) error {
		return s.renderTags(c, status, f, tenant.TagInput{})
	})
}

// tagRow is one line of the tags table, labelled in the reader's language.
type tagRow struct {
	tenant.Tag
	Label string
}

type tagsData struct {
	Active, Retired []tagRow
	Form            *form
	// Sent is the add form as sent, after a refusal.
	Sent tenant.TagInput
	Done string
}

func (s *Server) tagsPage(c *fiber.Ctx) error {
	return s.renderTags(c, fiber.StatusOK, nil, tenant.TagInput{})
}

func (s *Server) renderTags(c *fiber.Ctx, status int, f *form, sent tenant.TagInput) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	tags, err := s.admin.Tags(c.UserContext(), t, p)
	if err != nil {
		return err
	}
	pg := s.page(c, "tags.title")
	d := tagsData{Form: f, Sent: sent, Done: c.Query("done")}
	if f != nil {
		d.Done = ""
	}
	for _, tg := range tags {
		r := tagRow{Tag: tg, Label: tg.Name(pg.Locale)}
		if tg.Active() {
			d.Active = append(d.Active, r)
		} else {
			d.Retired = append(d.Retired, r)
		}
	}
	pg.Data = d
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, status, "admin_tags", pg)
}
