// Package tenant owns tenants (unions), their org tree of branches, their
// workplaces and categories, host → tenant resolution, and provisioning from
// manifests.
package tenant

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Tenant is a union, federation or network.
type Tenant struct {
	bun.BaseModel `bun:"table:tenants"`

	ID            uuid.UUID `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	Slug          string    `bun:"slug"`
	Name          string    `bun:"name"`
	ShortName     string    `bun:"short_name"`
	AppName       string    `bun:"app_name"`
	Domains       []string  `bun:"domains,array"`
	DefaultLocale string    `bun:"default_locale"`
	Theme         string    `bun:"theme"`
	Sectors       []string  `bun:"sectors,array"`
	Settings      Settings  `bun:"settings,type:jsonb"`
	Status        string    `bun:"status"`
	CreatedAt     time.Time `bun:"created_at,nullzero,default:now()"`
	UpdatedAt     time.Time `bun:"updated_at,nullzero,default:now()"`
}

// Branch is a unit in the union's tree; Path is slash-separated from the
// tenant root (spn, spn/jabar, spn/jabar/bekasi) and doubles as the Casbin
// domain.
type Branch struct {
	bun.BaseModel `bun:"table:branches"`

	TenantID    uuid.UUID  `bun:"tenant_id,pk,type:uuid"`
	ID          uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	ParentID    *uuid.UUID `bun:"parent_id,type:uuid"`
	Slug        string     `bun:"slug"`
	Path        string     `bun:"path"`
	Name        string     `bun:"name"`
	Level       string     `bun:"level"`
	WorkplaceID *uuid.UUID `bun:"workplace_id,type:uuid"`
	ClosedAt    *time.Time `bun:"closed_at"`
	CreatedAt   time.Time  `bun:"created_at,nullzero,default:now()"`
	UpdatedAt   time.Time  `bun:"updated_at,nullzero,default:now()"`
}

// Workplace is the employer side: a factory, plantation or estate.
type Workplace struct {
	bun.BaseModel `bun:"table:workplaces"`

	TenantID   uuid.UUID  `bun:"tenant_id,pk,type:uuid"`
	ID         uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	Slug       string     `bun:"slug"`
	Company    string     `bun:"company"`
	Name       string     `bun:"name"`
	Sector     string     `bun:"sector"`
	Province   string     `bun:"province"`
	District   string     `bun:"district"`
	Estate     string     `bun:"estate"`
	Afdeling   string     `bun:"afdeling"`
	Headcount  *int       `bun:"headcount"`
	Unverified bool       `bun:"unverified"`
	MergedInto *uuid.UUID `bun:"merged_into,type:uuid"`
	CreatedAt  time.Time  `bun:"created_at,nullzero,default:now()"`
	UpdatedAt  time.Time  `bun:"updated_at,nullzero,default:now()"`
}

// Category is one of a tenant's grievance categories.
type Category struct {
	bun.BaseModel `bun:"table:categories"`

	TenantID             uuid.UUID  `bun:"tenant_id,pk,type:uuid"`
	ID                   uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	Slug                 string     `bun:"slug"`
	ParentID             *uuid.UUID `bun:"parent_id,type:uuid"`
	NameID               string     `bun:"name_id"`
	NameEN               string     `bun:"name_en"`
	DescriptionID        string     `bun:"description_id"`
	DescriptionEN        string     `bun:"description_en"`
	Sectors              []string   `bun:"sectors,array"`
	SLAFirstResponseDays int        `bun:"sla_first_response_days"`
	SLAResolutionDays    int        `bun:"sla_resolution_days"`
	Restricted           bool       `bun:"restricted"`
	NoticeID             string     `bun:"notice_id"`
	NoticeEN             string     `bun:"notice_en"`
	PlaybookID           []string   `bun:"playbook_id,array"`
	PlaybookEN           []string   `bun:"playbook_en,array"`
	Keywords             []string   `bun:"keywords,array"`
	Examples             []string   `bun:"examples,array"`
	Active               bool       `bun:"active"`
	SortOrder            int        `bun:"sort_order"`
	CreatedAt            time.Time  `bun:"created_at,nullzero,default:now()"`
	UpdatedAt            time.Time  `bun:"updated_at,nullzero,default:now()"`
}

// Name returns the category's name in locale.
func (c *Category) Name(locale string) string {
	if locale == "en" && c.NameEN != "" {
		return c.NameEN
	}
	return c.NameID
}

// Notice returns the know-your-rights notice in locale.
func (c *Category) Notice(locale string) string {
	if locale == "en" && c.NoticeEN != "" {
		return c.NoticeEN
	}
	return c.NoticeID
}

// Label is how a workplace shows in lists: company, then site.
func (w *Workplace) Label() string {
	if w.Name == "" {
		return w.Company
	}
	return w.Company + " — " + w.Name
}
