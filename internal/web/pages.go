package web

import (
	"io/fs"
	"mime"
	"net"
	"path"
	"sort"

	"github.com/gofiber/fiber/v2"

	"github.com/suara-id/suara/internal/tenant"
)

// sectorKeys are the message ids of sector names.
var sectorKeys = map[string]string{
	"garment": "sector.garment", "footwear": "sector.footwear", "palm_oil": "sector.palm_oil", "leather": "sector.leather",
}

func (s *Server) home(c *fiber.Ctx) error {
	rc := reqCtx(c)
	if rc.Target == tenant.Platform {
		return s.platformHome(c)
	}
	p := s.page(c, "")
	p.Welcome = rc.Tenant.Settings.Branding.Welcome(p.Locale)
	data := s.homeData(p, rc.Tenant)
	if err := s.workerHome(c, rc.Tenant, data); err != nil {
		return err
	}
	p.Data = data
	if rc.Principal == nil {
		// Nothing personal on it: the app may keep it for offline use.
		c.Set(offlineHeader, "keep")
	}
	return s.render(c, fiber.StatusOK, "home", p)
}

// homeData is what the home page shows besides the branding (the branding
// preview draws the same page).
func (s *Server) homeData(p *Page, t *tenant.Tenant) map[string]any {
	sectors := make([]string, 0, len(t.Sectors))
	for _, sec := range t.Sectors {
		sectors = append(sectors, p.T(sectorKeys[sec]))
	}
	return map[string]any{"Sectors": sectors, "Examples": sectorExamples(p, t.Sectors)}
}

// platformHome is the base domain's page: what Suara is and which unions it
// hosts (public facts only).
func (s *Server) platformHome(c *fiber.Ctx) error {
	p := s.page(c, "platform.title")
	tenants := s.resolver.All()
	sort.Slice(tenants, func(i, j int) bool { return tenants[i].Name < tenants[j].Name })
	type link struct{ Name, AppName, URL string }
	links := make([]link, 0, len(tenants))
	for _, t := range tenants {
		links = append(links, link{Name: t.Name, AppName: t.AppName, URL: s.tenantURL(t)})
	}
	p.Data = map[string]any{"Tenants": links}
	return s.render(c, fiber.StatusOK, "platform", p)
}

// tenantURL is the tenant's address on this deployment.
func (s *Server) tenantURL(t *tenant.Tenant) string {
	u := s.cfg.HTTP.PublicScheme + "://" + t.Slug + "." + s.cfg.HTTP.BaseDomain
	if _, port, err := net.SplitHostPort(s.cfg.HTTP.Addr); err == nil && port != "80" && port != "443" {
		u += ":" + port
	}
	return u
}

func (s *Server) static(c *fiber.Ctx) error {
	name := path.Clean("/" + c.Params("*"))[1:]
	data, err := fs.ReadFile(staticFS, "static/"+name)
	if err != nil {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	c.Type(path.Ext(name))
	return c.Send(data)
}

// themeAsset serves the current tenant's (or the platform's) stylesheet,
// logo or favicon.
func (s *Server) themeAsset(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		th := s.page(c, "").Theme
		var data []byte
		var ctype string
		switch kind {
		case "css":
			data, ctype = th.css, "text/css; charset=utf-8"
			if t := reqCtx(c).Tenant; t != nil && t.Settings.Branding.HasColors() {
				data = append(append([]byte{}, th.css...), brandingCSS(t.Settings.Branding)...)
			}
		case "logo":
			data, ctype = th.logo, mime.TypeByExtension(".svg")
			if t := reqCtx(c).Tenant; t != nil && t.Settings.Branding.Logo != "" {
				if ct, b, err := s.admin.LiveLogo(c.UserContext(), t.ID); err == nil {
					data, ctype = b, ct
				}
			}
		default:
			data, ctype = th.favicon, mime.TypeByExtension(".svg")
		}
		c.Set(fiber.HeaderContentType, ctype)
		c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
		// SVGs are served as images only: no scripts run from them.
		c.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
		return c.Send(data)
	}
}
