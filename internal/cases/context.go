package cases

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/suara-id/suara/internal/apperr"
)

// Context is what a reporter may say about themselves and the workplace
// at filing, for the ILO figures (issue 22; migration 20261206007000).
// Everything is optional. Gender and age band are self-declared: an
// anonymous or confidential reporter may give them without giving an
// identity, and "prefer not to say" is what the form starts at.
type Context struct {
	ReporterGender   *string  `bun:"reporter_gender"`
	ReporterAgeBand  *string  `bun:"reporter_age_band"`
	EmploymentStatus *string  `bun:"employment_status"`
	Membership       *string  `bun:"membership"`
	BuyerBrands      []string `bun:"buyer_brands,array,nullzero,default:'{}'"`
}

// Choices of the context fields.
var (
	ReporterGenders    = []string{"prefer_not_to_say", "female", "male"}
	ReporterAgeBands   = []string{"prefer_not_to_say", "under_18", "18_24", "25_34", "35_44", "45_54", "55_plus"}
	EmploymentStatuses = []string{"permanent", "pkwt", "outsourced", "daily", "piece_rate", "apprentice"}
	Memberships        = []string{"member", "non_member"}
)

// maxBrands bounds the brands a case names.
const maxBrands = 10

// ContextInput is the context as a form or JSON body gives it.
type ContextInput struct {
	Gender           string   `json:"reporter_gender" form:"reporter_gender"`
	AgeBand          string   `json:"reporter_age_band" form:"reporter_age_band"`
	EmploymentStatus string   `json:"employment_status" form:"employment_status"`
	Membership       string   `json:"membership" form:"membership"`
	Brands           []string `json:"buyer_brands" form:"buyer_brands"`
}

// validate checks the context and returns it as stored; errors go to v.
func (in ContextInput) validate(v *apperr.Validation) Context {
	var c Context
	choice := func(field, val string, choices []string) *string {
		val = strings.TrimSpace(val)
		if val == "" {
			return nil
		}
		if !slices.Contains(choices, val) {
			v.Add(field, "error.invalid_choice")
			return nil
		}
		return &val
	}
	c.ReporterGender = choice("reporter_gender", in.Gender, ReporterGenders)
	c.ReporterAgeBand = choice("reporter_age_band", in.AgeBand, ReporterAgeBands)
	c.EmploymentStatus = choice("employment_status", in.EmploymentStatus, EmploymentStatuses)
	c.Membership = choice("membership", in.Membership, Memberships)
	c.BuyerBrands = []string{}
	for _, item := range in.Brands {
		// A text field may list several, comma-separated.
		for _, b := range strings.Split(item, ",") {
			if strings.TrimSpace(b) == "" {
				continue
			}
			slug, ok := NormaliseBrand(b)
			if !ok {
				v.Add("buyer_brands", "error.invalid")
				return c
			}
			if !slices.Contains(c.BuyerBrands, slug) {
				c.BuyerBrands = append(c.BuyerBrands, slug)
			}
		}
	}
	if len(c.BuyerBrands) > maxBrands {
		v.Add("buyer_brands", "error.too_long")
	}
	return c
}

var brandDash = regexp.MustCompile(`-+`)

// NormaliseBrand turns a brand as typed ("H&M", " Uniqlo ", "Nike, Inc.")
// into the slug a union's brand directory and the analytics use: lower
// case, accents dropped, "&" read as "and", anything else not a letter or
// digit a single dash. False for text that leaves nothing, is too long or
// holds control characters.
func NormaliseBrand(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 120 || strings.ContainsFunc(s, unicode.IsControl) {
		return "", false
	}
	var b strings.Builder
	for _, r := range norm.NFKD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == '&':
			b.WriteString("-and-")
		case r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		default:
			b.WriteRune('-')
		}
	}
	slug := strings.Trim(brandDash.ReplaceAllString(b.String(), "-"), "-")
	for _, suffix := range []string{"-inc", "-ltd", "-co", "-corp", "-llc", "-gmbh", "-sa", "-ag"} {
		slug = strings.TrimSuffix(slug, suffix)
	}
	if slug == "" || len(slug) > 60 {
		return "", false
	}
	return slug, true
}
