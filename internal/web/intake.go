package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/chat"
)

// webhookError answers a refused webhook with a bare status: providers
// read no message, and nothing here tells a prober more than "no" — not
// even whether the union has the channel: unsigned, forged, stale and
// channel-less requests all get 403.
func webhookError(c *fiber.Ctx, err error) error {
	switch {
	case errors.Is(err, chat.ErrNoChannel), errors.Is(err, chat.ErrBadSignature), errors.Is(err, chat.ErrStale):
		return c.SendStatus(fiber.StatusForbidden)
	case errors.Is(err, chat.ErrBadPayload):
		return c.SendStatus(fiber.StatusBadRequest)
	}
	return err
}

func (s *Server) whatsAppHandshake(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil || s.chat == nil {
		return fiber.ErrNotFound
	}
	challenge, err := s.chat.Handshake(c.UserContext(), t, c.Query("hub.mode"), c.Query("hub.verify_token"), strings.Clone(c.Query("hub.challenge")))
	if err != nil {
		return webhookError(c, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.SendString(challenge)
}

func (s *Server) whatsAppWebhook(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil || s.chat == nil {
		return fiber.ErrNotFound
	}
	body := append([]byte(nil), c.Body()...)
	if _, err := s.chat.HandleWhatsApp(c.UserContext(), t, strings.Clone(c.Get("X-Hub-Signature-256")), body); err != nil {
		return webhookError(c, err)
	}
	return c.SendStatus(fiber.StatusOK)
}

func (s *Server) smsWebhook(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil || s.chat == nil {
		return fiber.ErrNotFound
	}
	body := append([]byte(nil), c.Body()...)
	if _, err := s.chat.HandleSMS(c.UserContext(), t, strings.Clone(c.Get("X-Suara-Timestamp")), strings.Clone(c.Get("X-Suara-Signature")), body); err != nil {
		return webhookError(c, err)
	}
	return c.SendStatus(fiber.StatusOK)
}

func (s *Server) apiChannel(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil || s.chat == nil {
		return fiber.ErrNotFound
	}
	p, err := requireTenantStaff(c)
	if err != nil {
		return err
	}
	v, err := s.chat.Channel(c.UserContext(), t, p, strings.Clone(c.Params("channel")))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(v)
}

func (s *Server) apiSetChannel(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil || s.chat == nil {
		return fiber.ErrNotFound
	}
	p, err := requireTenantStaff(c)
	if err != nil {
		return err
	}
	var in chat.ChannelInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	v, err := s.chat.SetChannel(c.UserContext(), t, p, strings.Clone(c.Params("channel")), in)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(v)
}

type transcriptInput struct {
	Transcript string `json:"transcript" form:"transcript"`
}

func (s *Server) apiTranscript(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	p, id, err := staffCaseOf(c)
	if err != nil {
		return err
	}
	var in transcriptInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	if err := s.cases.AddTranscript(c.UserContext(), t.ID, p, id, in.Transcript); err != nil {
		return err
	}
	info, err := s.cases.Intake(c.UserContext(), t.ID, p, id)
	if err != nil {
		return err
	}
	return c.JSON(info)
}

func (s *Server) apiCaseIntake(c *fiber.Ctx) error {
	t, err := tenantOnly(c)
	if err != nil {
		return err
	}
	p, id, err := staffCaseOf(c)
	if err != nil {
		return err
	}
	info, err := s.cases.Intake(c.UserContext(), t.ID, p, id)
	if err != nil {
		return err
	}
	return c.JSON(info)
}
