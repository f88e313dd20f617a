package cases

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
)

// Brand and certification views (issue 22; migration 20261207030001): a
// union that chose to (settings.brand_packets) may hand a case's redacted
// packet to a buyer brand or certification body of its brand directory,
// when the case's reporter agreed. The body opens the packet by a link
// whose token only it holds (the union keeps its SHA-256). The packet never
// names the reporter, whatever they agreed for mediators: a brand is a
// party to the employer, not a neutral. The link works while it is neither
// expired nor revoked, and only while the union's choice, the directory
// entry and the reporter's consent still stand.

// Event kinds of brand sharing.
const (
	// EventBrandConsent is the reporter agreeing (or no longer agreeing)
	// that the union may hand the redacted packet to a brand or
	// certification body; the latest one counts.
	EventBrandConsent = "brand_share_consent"
	// EventBrandShared is a link to the packet made for a brand (internal).
	EventBrandShared = "brand_shared"
)

// BrandShareTTL is how long a link to a shared packet works.
const BrandShareTTL = 30 * 24 * time.Hour

// BrandPacketsEnabled reads the union's choice inside a tenant transaction.
func BrandPacketsEnabled(ctx context.Context, tx bun.IDB, tenantID uuid.UUID) (bool, error) {
	var on bool
	err := tx.QueryRowContext(ctx, "SELECT coalesce(settings -> 'brand_packets' = 'true'::jsonb, false) FROM tenants WHERE id = ?", tenantID).Scan(&on)
	if err != nil {
		return false, fmt.Errorf("load brand packet setting: %w", db.MapError(err))
	}
	return on, nil
}

// SetBrandConsent records the reporter's answer to "may the union hand the
// redacted case file (without your name) to the brand or certification
// body?". Any reporter of the case may answer, whatever its safety mode:
// the packet never carries the reporter's identity.
func (s *Service) SetBrandConsent(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, share bool) error {
	if err := s.setConsent(ctx, tenantID, p, id, EventBrandConsent, share, nil); err != nil {
		return fmt.Errorf("brand consent: %w", err)
	}
	return nil
}

// BrandConsent returns the reporter's current answer to everyone who may
// read the case (false when never asked).
func (s *Service) BrandConsent(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID) (bool, error) {
	return s.consent(ctx, tenantID, p, id, EventBrandConsent)
}

// BrandShare is a link made for a brand or certification body. Token is
// set only in the answer that made it: it is stored as a hash.
type BrandShare struct {
	ID        uuid.UUID  `bun:"id" json:"id"`
	Brand     string     `bun:"brand_slug" json:"brand"`
	BrandName string     `bun:"brand_name" json:"brand_name"`
	CreatedAt time.Time  `bun:"created_at" json:"created_at"`
	ExpiresAt time.Time  `bun:"expires_at" json:"expires_at"`
	RevokedAt *time.Time `bun:"revoked_at" json:"revoked_at,omitempty"`
	Token     string     `bun:"-" json:"token,omitempty"`
}

// BrandOption is a directory entry a packet may go to.
type BrandOption struct {
	Slug string `bun:"slug"`
	Name string `bun:"name"`
	Kind string `bun:"kind"`
}

// BrandSharing is what the staff case page shows of brand sharing.
type BrandSharing struct {
	// Enabled: the union shares packets with brands at all.
	Enabled bool
	// Consent: the reporter agreed.
	Consent bool
	Options []BrandOption
	Shares  []BrandShare
}

// BrandSharingOf returns the case's brand sharing for staff who hold
// "case export" at its branch.
func (s *Service) BrandSharingOf(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID) (*BrandSharing, error) {
	out := &BrandSharing{Options: []BrandOption{}, Shares: []BrandShare{}}
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.staffCase(ctx, tx, p, id, "export")
		if err != nil {
			return err
		}
		if out.Enabled, err = BrandPacketsEnabled(ctx, tx, tenantID); err != nil {
			return err
		}
		if out.Consent, err = latestConsent(ctx, tx, c.ID, EventBrandConsent); err != nil {
			return err
		}
		if err := tx.NewRaw("SELECT slug, name, kind FROM brands WHERE retired_at IS NULL ORDER BY kind, lower(name)").Scan(ctx, &out.Options); err != nil {
			return fmt.Errorf("list brands: %w", err)
		}
		if err := tx.NewRaw(`SELECT s.id, s.brand_slug, b.name AS brand_name, s.created_at, s.expires_at, s.revoked_at
			FROM case_brand_shares s JOIN brands b ON b.tenant_id = s.tenant_id AND b.slug = s.brand_slug
			WHERE s.case_id = ? ORDER BY s.created_at DESC`, c.ID).Scan(ctx, &out.Shares); err != nil {
			return fmt.Errorf("list shares: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("brand sharing: %w", err)
	}
	return out, nil
}

// ShareWithBrand makes a link to the case's redacted packet for a brand
// or certification body of the directory. It needs "case export" at the
// case's branch, the union's choice and the reporter's consent.
func (s *Service) ShareWithBrand(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, brand string) (*BrandShare, error) {
	brand = strings.TrimSpace(brand)
	if brand == "" {
		return nil, apperr.Invalid("brand", "error.required")
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("share token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	hash := sha256.Sum256([]byte(token))
	var out *BrandShare
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.staffCase(ctx, tx, p, id, "export")
		if err != nil {
			return err
		}
		var name string
		if err := tx.QueryRowContext(ctx, "SELECT name FROM brands WHERE slug = ? AND retired_at IS NULL", brand).Scan(&name); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.Invalid("brand", "error.invalid_choice")
			}
			return fmt.Errorf("load brand: %w", err)
		}
		on, err := BrandPacketsEnabled(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		if !on {
			return &apperr.FieldConflict{Field: "brand", Key: "error.brand_packets_off"}
		}
		consent, err := latestConsent(ctx, tx, c.ID, EventBrandConsent)
		if err != nil {
			return err
		}
		if !consent {
			return &apperr.FieldConflict{Field: "brand", Key: "error.brand_consent_missing"}
		}
		now := s.Now().UTC()
		out = &BrandShare{ID: uuid.New(), Brand: brand, BrandName: name, CreatedAt: now, ExpiresAt: now.Add(BrandShareTTL), Token: token}
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_brand_shares (tenant_id, id, case_id, brand_slug, token_hash, shared_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, tenantID, out.ID, c.ID, brand, hash[:], p.UserID, now, out.ExpiresAt); err != nil {
			return fmt.Errorf("insert share: %w", db.MapError(err))
		}
		_, err = s.addEvent(ctx, tx, c, EventBrandShared, p.UserID.String(), VisibilityInternal,
			map[string]any{"brand": brand, "share_id": out.ID, "expires_at": out.ExpiresAt})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("share with brand: %w", err)
	}
	return out, nil
}

// RevokeBrandShare ends a link before it expires.
func (s *Service) RevokeBrandShare(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id, shareID uuid.UUID) error {
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.staffCase(ctx, tx, p, id, "export")
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "UPDATE case_brand_shares SET revoked_at = ? WHERE id = ? AND case_id = ? AND revoked_at IS NULL",
			s.Now().UTC(), shareID, c.ID)
		if err != nil {
			return fmt.Errorf("revoke share: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("revoke brand share: %w", err)
	}
	return nil
}

// BrandPacket opens a shared packet by its token, for the brand or
// certification body holding the link: no account. Anything that no
// longer stands (expired, revoked, entry retired, the union's choice or
// the reporter's consent withdrawn) answers apperr.ErrNotFound, as an
// unknown token does.
func (s *Service) BrandPacket(ctx context.Context, tenantID uuid.UUID, token, locale string) (*Packet, error) {
	if len(token) != 43 {
		return nil, apperr.ErrNotFound
	}
	hash := sha256.Sum256([]byte(token))
	var out *Packet
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var caseID uuid.UUID
		var name string
		err := tx.QueryRowContext(ctx, `SELECT s.case_id, b.name FROM case_brand_shares s
			JOIN brands b ON b.tenant_id = s.tenant_id AND b.slug = s.brand_slug AND b.retired_at IS NULL
			WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?`, hash[:], s.Now().UTC()).Scan(&caseID, &name)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("load share: %w", err)
		}
		if on, err := BrandPacketsEnabled(ctx, tx, tenantID); err != nil {
			return err
		} else if !on {
			return apperr.ErrNotFound
		}
		if ok, err := latestConsent(ctx, tx, caseID, EventBrandConsent); err != nil {
			return err
		} else if !ok {
			return apperr.ErrNotFound
		}
		c, err := loadCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		pk, err := s.packetOf(ctx, tx, c, locale)
		if err != nil {
			return err
		}
		pk.For = name
		out = pk
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("brand packet: %w", err)
	}
	return out, nil
}
