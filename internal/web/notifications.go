package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/notify"
)

func (s *Server) apiNotifications(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	p, err := requireSignedIn(c)
	if err != nil {
		return err
	}
	limit, _ := strconv.Atoi(c.Query("limit"))
	items, err := s.notify.Inbox(c.UserContext(), t.ID, p, reqCtx(c).Locale, limit)
	if err != nil {
		return err
	}
	if items == nil {
		items = []notify.Item{}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"notifications": items})
}

func (s *Server) apiNotificationsRead(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	p, err := requireSignedIn(c)
	if err != nil {
		return err
	}
	var body struct {
		IDs []string `json:"ids"`
	}
	if len(c.Body()) > 0 {
		if err := parseJSON(c, &body); err != nil {
			return err
		}
	}
	if len(body.IDs) > notify.MaxItems {
		return apperr.Invalid("ids", "error.too_long")
	}
	ids := make([]uuid.UUID, 0, len(body.IDs))
	for _, raw := range body.IDs {
		id, err := uuid.Parse(raw)
		if err != nil {
			return apperr.Invalid("ids", "error.invalid")
		}
		ids = append(ids, id)
	}
	n, err := s.notify.MarkRead(c.UserContext(), t.ID, p, ids)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"marked": n})
}

func (s *Server) apiNotificationPrefs(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	p, err := requireSignedIn(c)
	if err != nil {
		return err
	}
	prefs, err := s.notify.Preferences(c.UserContext(), t.ID, p)
	if err != nil {
		return err
	}
	return c.JSON(prefs)
}

func (s *Server) apiSetNotificationPrefs(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	p, err := requireSignedIn(c)
	if err != nil {
		return err
	}
	var in notify.PreferencesInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	prefs, err := s.notify.SetPreferences(c.UserContext(), t.ID, p, in)
	if err != nil {
		return err
	}
	return c.JSON(prefs)
}

func (s *Server) apiAdminNotifications(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	limit, _ := strconv.Atoi(c.Query("limit"))
	list, err := s.notify.Deliveries(c.UserContext(), t.ID, p, t.Slug, strings.Clone(c.Query("status")), limit)
	if err != nil {
		return err
	}
	if list == nil {
		list = []notify.Delivery{}
	}
	return c.JSON(fiber.Map{"notifications": list})
}

func (s *Server) apiNotificationSettings(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	st, err := s.notify.Settings(c.UserContext(), t.ID, p, t.Slug)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

func (s *Server) apiSaveNotificationSettings(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	var in notify.Settings
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	st, err := s.notify.SaveSettings(c.UserContext(), t.ID, p, t.Slug, in)
	if err != nil {
		return err
	}
	return c.JSON(st)
}

// notificationsPage shows the signed-in account's notifications and its
// channel choices.
func (s *Server) notificationsPage(c *fiber.Ctx) error {
	return s.showNotifications(c, "", fiber.StatusOK)
}

func (s *Server) showNotifications(c *fiber.Ctx, notice string, status int) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	p := principal(c)
	if p == nil {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	ctx := c.UserContext()
	items, err := s.notify.Inbox(ctx, t.ID, p, reqCtx(c).Locale, 0)
	if err != nil {
		return err
	}
	prefs, err := s.notify.Preferences(ctx, t.ID, p)
	if err != nil {
		return err
	}
	// Seen now: the list still marks what was new, the badge clears.
	if _, err := s.notify.MarkInboxRead(ctx, t.ID, p); err != nil {
		return err
	}
	pg := s.page(c, "notify.title")
	pg.Data = map[string]any{"Items": items, "Prefs": prefs, "Notice": notice}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, status, "notifications", pg)
}

// notificationPrefsSubmit saves the page form: a box per channel and one
// to stop them all. An unticked box is "off", as browsers send nothing.
func (s *Server) notificationPrefsSubmit(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	p := principal(c)
	if p == nil {
		return c.Redirect("/login", fiber.StatusSeeOther)
	}
	on := func(name string) *bool { v := c.FormValue(name) == "on"; return &v }
	in := notify.PreferencesInput{Email: on("email"), SMS: on("sms"), WhatsApp: on("whatsapp"), Stop: on("stop"), Digest: on("digest")}
	if _, err := s.notify.SetPreferences(c.UserContext(), t.ID, p, in); err != nil {
		return err
	}
	return s.showNotifications(c, translate(reqCtx(c).loc, "notify.saved"), fiber.StatusOK)
}
