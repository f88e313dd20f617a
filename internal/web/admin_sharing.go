package web

import (
	"bytes"
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/apperr"
)

// analyticsSharing is the union's choice as the API words it.
type analyticsSharing struct {
	Anonymous    bool `json:"anonymous"`
	ShareCompany bool `json:"share_company"`
}

// errSharingFlag is the message of a switch that is neither on nor off.
const errSharingFlag = "error.analytics_sharing_flag"

// The page's boxes. The first says "show our name": ticked is the setting
// analytics_anonymous off.
const (
	fieldShowName     = "show_name"
	fieldShareCompany = "share_company"
)

type sharingData struct {
	ShowName, ShareCompany bool
	Errors                 map[string]string
	Error                  string
	Saved                  bool
}

// storedSharing is the request's union's choice as stored now (not the
// resolver's copy, which may be minutes old), for its federation admins.
func (s *Server) storedSharing(c *fiber.Ctx) (analyticsSharing, error) {
	t, p, err := staffOf(c)
	if err != nil {
		return analyticsSharing{}, err
	}
	st, err := s.admin.Settings(c.UserContext(), t, p)
	if err != nil {
		return analyticsSharing{}, err
	}
	return analyticsSharing{Anonymous: st.AnalyticsAnonymous, ShareCompany: st.AnalyticsShareCompany}, nil
}

func (s *Server) sharingPage(c *fiber.Ctx) error {
	return s.renderSharing(c, fiber.StatusOK, nil, nil)
}

// renderSharing shows the page with the stored choice or, after a refused
// post, with f's reasons and the boxes as they were sent.
func (s *Server) renderSharing(c *fiber.Ctx, status int, f *form, sent *analyticsSharing) error {
	cur, err := s.storedSharing(c)
	if err != nil {
		return err
	}
	if sent != nil {
		cur = *sent
	}
	d := sharingData{ShowName: !cur.Anonymous, ShareCompany: cur.ShareCompany, Errors: map[string]string{}, Saved: c.Query("saved") == "1"}
	if f != nil {
		d.Errors, d.Error, d.Saved = f.Errors, f.Error, false
	}
	pg := s.page(c, "admin.sharing.title")
	pg.Data = d
	return s.render(c, status, "admin_sharing", pg)
}

func (s *Server) sharingSave(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	var ve apperr.Validation
	showName, share := formBox(c, fieldShowName, &ve), formBox(c, fieldShareCompany, &ve)
	in := analyticsSharing{Anonymous: !showName, ShareCompany: share}
	err = ve.Err()
	if err == nil {
		err = s.admin.SetAnalyticsSharing(c.UserContext(), t, p, in.Anonymous, in.ShareCompany)
	}
	return s.settingsFormDone(c, "/admin/sharing?saved=1", err, func(f *form, status int) error {
		return s.renderSharing(c, status, f, &in)
	})
}

// formBox reads a checkbox: browsers send "on" when it is ticked and
// nothing when not; anything else is a hand-made post, refused on ve.
func formBox(c *fiber.Ctx, name string, ve *apperr.Validation) bool {
	switch c.FormValue(name) {
	case "":
		return false
	case "on":
		return true
	}
	ve.Add(name, errSharingFlag)
	return false
}

func (s *Server) apiAnalyticsSharing(c *fiber.Ctx) error {
	cur, err := s.storedSharing(c)
	if err != nil {
		return err
	}
	return c.JSON(cur)
}

func (s *Server) apiSetAnalyticsSharing(c *fiber.Ctx) error {
	t, p, err := staffOf(c)
	if err != nil {
		return err
	}
	// Raw, so that a missing field, a string or null gets the field's own
	// message rather than silently meaning false or a decoding error.
	var body struct {
		Anonymous    json.RawMessage `json:"anonymous"`
		ShareCompany json.RawMessage `json:"share_company"`
	}
	if err := parseJSON(c, &body); err != nil {
		return err
	}
	var ve apperr.Validation
	in := analyticsSharing{Anonymous: jsonFlag(body.Anonymous, "anonymous", &ve), ShareCompany: jsonFlag(body.ShareCompany, "share_company", &ve)}
	if err := ve.Err(); err != nil {
		return err
	}
	if err := s.admin.SetAnalyticsSharing(c.UserContext(), t, p, in.Anonymous, in.ShareCompany); err != nil {
		return err
	}
	return c.JSON(in)
}

// jsonFlag reads a required JSON boolean; anything else is refused on ve.
func jsonFlag(raw json.RawMessage, field string, ve *apperr.Validation) bool {
	switch string(bytes.TrimSpace(raw)) {
	case "true":
		return true
	case "false":
		return false
	}
	ve.Add(field, errSharingFlag)
	return false
}
