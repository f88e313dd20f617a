package cases

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// Intake channels: how a case reached the union (cases.intake_channel).
const (
	ChannelWeb      = "web"
	ChannelApp      = "app"
	ChannelWhatsApp = "whatsapp"
	ChannelSMS      = "sms"
	ChannelWalkIn   = "walk_in"
	ChannelPhone    = "phone"
	ChannelHotline  = "hotline"
)

// IntakeChannels lists every channel, in the order pages show them.
var IntakeChannels = []string{ChannelWeb, ChannelApp, ChannelWhatsApp, ChannelSMS, ChannelWalkIn, ChannelPhone, ChannelHotline}

// AssistedChannels are the channels an officer files through for a worker.
var AssistedChannels = []string{ChannelWalkIn, ChannelPhone, ChannelHotline}

// EventTranscript records that staff added a voice note's transcript.
const EventTranscript = "transcript_added"

// voiceTitle is the title of a voice-only report filed without one.
const voiceTitle = "Laporan pesan suara"

// Intake is how a filing came in, beyond what the reporter wrote.
type Intake struct {
	// Channel is one of IntakeChannels ("" = web).
	Channel string
	// VoiceOnly: the report is a voice note the caller attaches right after
	// filing; the description may then be empty and the case is marked as
	// needing a transcript.
	VoiceOnly bool
	// AssistedBy is the officer filing for a worker who came to the office
	// or called (nil: the reporter files). The officer needs
	// assisted_intake:create at the case's branch. For an anonymous case
	// the officer is recorded nowhere: not on the case, not in its
	// timeline, not in a log line.
	AssistedBy *auth.Principal
	// Consent: the officer noted that the worker agreed to the filing
	// (required when assisted).
	Consent bool
	// InTx, when set, runs inside the filing transaction after the case and
	// its first event are written, with the reference (and receipt code) in
	// out: a chat intake erases its session there, atomically with the case.
	InTx func(ctx context.Context, tx bun.Tx, c *Case, out *Filed) error
}

func (ik *Intake) check(t *tenant.Tenant) error {
	if ik.Channel == "" {
		ik.Channel = ChannelWeb
	}
	v := &apperr.Validation{}
	if !slices.Contains(IntakeChannels, ik.Channel) {
		v.Add("intake_channel", "error.invalid_choice")
	}
	if ik.AssistedBy != nil {
		switch {
		case !ik.AssistedBy.IsStaff() || ik.AssistedBy.TenantID != t.ID || ik.AssistedBy.Pending2FA:
			return apperr.ErrForbidden
		case !slices.Contains(AssistedChannels, ik.Channel):
			v.Add("intake_channel", "error.invalid_choice")
		case !ik.Consent:
			v.Add("consent", "error.consent_required")
		}
	}
	return v.Err()
}

// apply stamps the intake on a new case.
func (ik *Intake) apply(c *Case) {
	c.IntakeChannel = ik.Channel
	c.NeedsTranscription = ik.VoiceOnly && c.Description == ""
	if ik.AssistedBy != nil {
		consent := ik.Consent
		c.ConsentNoted = &consent
	}
}

// describe adds the intake to the filed event's payload: the channel, and
// for an assisted filing that it was assisted (and by whom, unless the
// case is anonymous).
func (ik *Intake) describe(c *Case, payload map[string]any) {
	if ik.Channel != ChannelWeb {
		payload["channel"] = ik.Channel
	}
	if c.NeedsTranscription {
		payload["voice_only"] = true
	}
	if ik.AssistedBy != nil {
		payload["by"] = "staff"
		payload["assisted"] = true
		payload["consent"] = ik.Consent
		if c.SafetyMode != ModeAnonymous {
			payload["assisted_by"] = ik.AssistedBy.UserID.String()
		}
	}
}

// actor is the filed event's actor: the reporter's own rule, or the
// assisting officer for a named or confidential case (never anonymous).
func (ik *Intake) actor(p *auth.Principal, c *Case) string {
	if ik.AssistedBy != nil {
		if c.SafetyMode == ModeAnonymous {
			return ""
		}
		return ik.AssistedBy.UserID.String()
	}
	return reporterActor(p, c)
}

// checkAssist authorises an assisted filing at the branch the case lands
// in (after placeCase).
func (s *Service) checkAssist(ctx context.Context, tx bun.Tx, t *tenant.Tenant, c *Case, ik Intake) error {
	if ik.AssistedBy == nil {
		return nil
	}
	path := t.Slug
	if c.BranchID != uuid.Nil {
		if err := tx.QueryRowContext(ctx, "SELECT path FROM branches WHERE id = ?", c.BranchID).Scan(&path); err != nil {
			return fmt.Errorf("branch of assisted filing: %w", err)
		}
	}
	return s.authz.Check(ctx, ik.AssistedBy, path, "assisted_intake", "create")
}

const maxTranscriptRunes = 20000

// AddTranscript stores staff's transcript of a case's voice note, clears
// "needs transcription", records it on the internal timeline and queues
// classification again (through OnFiled, the hook that queues it at
// filing), which then reads the transcript.
func (s *Service) AddTranscript(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, text string) error {
	text, ok := cleanText(text)
	switch n := utf8.RuneCountInString(text); {
	case !ok:
		return apperr.Invalid("transcript", "error.invalid")
	case n == 0:
		return apperr.Invalid("transcript", "error.required")
	case n > maxTranscriptRunes:
		return apperr.Invalid("transcript", "error.too_long")
	}
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.staffCase(ctx, tx, p, id, "note")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE cases SET transcript = ?, needs_transcription = false WHERE id = ?", text, c.ID); err != nil {
			return fmt.Errorf("store transcript: %w", err)
		}
		c.Transcript, c.NeedsTranscription = text, false
		words := len(strings.Fields(text))
		if _, err := s.addEvent(ctx, tx, c, EventTranscript, p.UserID.String(), VisibilityInternal,
			map[string]any{"by": "staff", "words": words}); err != nil {
			return err
		}
		if s.OnFiled != nil {
			if err := s.OnFiled(ctx, tx, c); err != nil {
				return fmt.Errorf("queue classification: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add transcript: %w", err)
	}
	return nil
}

// IntakeInfo is a case's intake facts for staff pages.
type IntakeInfo struct {
	Channel            string `json:"intake_channel"`
	NeedsTranscription bool   `json:"needs_transcription"`
	Transcript         string `json:"transcript,omitempty"`
	ConsentNoted       *bool  `json:"consent_noted,omitempty"`
}

// Intake returns a case's intake facts for staff who may read it.
func (s *Service) Intake(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID) (*IntakeInfo, error) {
	var out *IntakeInfo
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.staffCase(ctx, tx, p, id, "read")
		if err != nil {
			return err
		}
		out = &IntakeInfo{Channel: c.IntakeChannel, NeedsTranscription: c.NeedsTranscription, Transcript: c.Transcript, ConsentNoted: c.ConsentNoted}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("case intake: %w", err)
	}
	return out, nil
}
