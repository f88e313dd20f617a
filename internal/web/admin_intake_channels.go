package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/chat"
)

// The intake channels section for federation admins: each WhatsApp/SMS
// channel's state, a form for its credentials (secrets write-only) and the
// recent replies with their delivery errors. The main channel page
// (notifications) is the admin area's; this is the intake part.

type intakeChannelsData struct {
	Channels []*chat.ChannelView
	Host     string
	Saved    bool
	Form     *form
	Sent     string // the channel the refused form was for
}

func (s *Server) intakeChannelsPage(c *fiber.Ctx) error {
	return s.renderIntakeChannels(c, fiber.StatusOK, nil, "")
}

func (s *Server) renderIntakeChannels(c *fiber.Ctx, status int, f *form, sent string) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	if s.chat == nil {
		return fiber.ErrNotFound
	}
	d := intakeChannelsData{Host: c.Hostname(), Saved: c.Query("saved") == "1" && f == nil, Form: f, Sent: sent}
	if d.Form == nil {
		d.Form = &form{Errors: map[string]string{}}
	}
	for _, ch := range []string{chat.WhatsApp, chat.SMS} {
		v, err := s.chat.Channel(c.UserContext(), t, p, ch)
		if err != nil {
			return err
		}
		d.Channels = append(d.Channels, v)
	}
	pg := s.page(c, "intake.channels_title")
	pg.Data = d
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.render(c, status, "admin_intake_channels", pg)
}

func (s *Server) intakeChannelsSave(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	if s.chat == nil {
		return fiber.ErrNotFound
	}
	channel := strings.Clone(c.Params("channel"))
	v := func(k string) string { return strings.Clone(c.FormValue(k)) }
	enabled := c.FormValue("enabled") == "on"
	in := chat.ChannelInput{Enabled: &enabled, VerifyToken: v("verify_token"), AppSecret: v("app_secret"),
		AccessToken: v("access_token"), PhoneNumberID: v("phone_number_id"), APIBase: v("api_base")}
	if _, err := s.chat.SetChannel(c.UserContext(), t, p, channel, in); err != nil {
		f, status, err := s.formFailure(c, err, in)
		if err != nil {
			return err
		}
		return s.renderIntakeChannels(c, status, f, channel)
	}
	return c.Redirect("/admin/intake-channels?saved=1", fiber.StatusSeeOther)
}
