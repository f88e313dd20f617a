package web_test

import (
	"fmt"
	"net/url"

	"github.com/google/uuid"
)

// exerciseBrands calls the brand operations (issue 22) for the document
// check: the directory, a workplace's brands, the packet choice, the
// reporter's consent, links for a brand, and the platform's brand view.
func exerciseBrands(e *env, r *recorder, a apiActors, must statusCheck) {
	st, _ := r.json("POST", "/admin/brands", a.admin, map[string]any{"name": "RSPO", "kind": "certification_body"})
	must("add brand", st, 201)
	st, _ = r.json("POST", "/admin/brands", a.admin, map[string]any{"name": "rspo"})
	must("add brand twice", st, 409)
	st, _ = r.json("POST", "/admin/brands", a.admin, map[string]any{"name": ""})
	must("add brand bad", st, 422)
	st, _ = r.json("POST", "/admin/brands", a.officer, map[string]any{"name": "Gap"})
	must("add brand as officer", st, 403)
	st, _ = r.json("POST", "/admin/brands", a.admin, map[string]any{"name": "Gap"})
	must("add brand gap", st, 201)
	st, _ = r.json("GET", "/admin/brands", a.admin, nil)
	must("brands", st, 200)
	st, _ = r.json("GET", "/admin/brands", "", nil)
	must("brands signed out", st, 401)
	st, _ = r.json("POST", "/admin/brands/merge", a.admin, map[string]any{"from": "GAP Inc", "into": "rspo"})
	must("merge brand", st, 200)
	st, _ = r.json("POST", "/admin/brands/merge", a.admin, map[string]any{"from": "x", "into": "nope"})
	must("merge brand bad", st, 422)
	st, _ = r.json("POST", "/admin/brands/nope/retire", a.admin, nil)
	must("retire unknown brand", st, 404)
	st, _ = r.json("POST", "/admin/brands/gap/retire", a.officer, nil)
	must("retire brand as officer", st, 403)
	st, _ = r.json("PUT", "/admin/workplaces/"+a.wp+"/brands", a.admin, map[string]any{"certification": "ispo", "mill": "PKS Satu", "default_brands": []string{"Adidas"}})
	must("workplace brands", st, 200)
	st, _ = r.json("PUT", "/admin/workplaces/"+a.wp+"/brands", a.admin, map[string]any{"certification": "fsc"})
	must("workplace brands bad", st, 422)
	st, _ = r.json("PUT", "/admin/workplaces/"+uuid.NewString()+"/brands", a.admin, map[string]any{})
	must("workplace brands unknown", st, 404)
	st, _ = r.json("PUT", "/admin/settings/brand-packets", a.admin, map[string]any{"enabled": "yes"})
	must("brand packets bad", st, 422)
	st, _ = r.json("PUT", "/admin/settings/brand-packets", a.officer, map[string]any{"enabled": true})
	must("brand packets as officer", st, 403)

	st, filed := r.json("POST", "/cases", a.worker, map[string]any{"type": "complaint", "workplace_id": a.wp,
		"description": "Pemanen tidak diberi alat pelindung diri di afdeling."})
	must("file for a brand", st, 201)
	id := fmt.Sprint(filed["id"])
	st, _ = r.json("POST", "/cases/"+id+"/brand-shares", a.admin, map[string]any{"brand": "rspo"})
	must("share while off", st, 409)
	st, _ = r.json("PUT", "/admin/settings/brand-packets", a.admin, map[string]any{"enabled": true})
	must("brand packets", st, 200)
	st, _ = r.json("PUT", "/cases/"+id+"/brand-consent", a.worker, map[string]any{"share": true})
	must("brand consent", st, 200)
	st, _ = r.json("PUT", "/cases/"+id+"/brand-consent", a.worker, map[string]any{"share": 1})
	must("brand consent bad", st, 422)
	st, _ = r.json("PUT", "/cases/"+id+"/brand-consent", a.other, map[string]any{"share": true})
	must("brand consent by another worker", st, 404)
	st, _ = r.json("POST", "/cases/"+id+"/brand-shares", a.admin, map[string]any{"brand": "nope"})
	must("share bad brand", st, 422)
	st, _ = r.json("POST", "/cases/"+id+"/brand-shares", a.officer, map[string]any{"brand": "rspo"})
	must("share as officer", st, 403, 404)
	st, sh := r.json("POST", "/cases/"+id+"/brand-shares", a.admin, map[string]any{"brand": "rspo"})
	must("share", st, 201)
	if u, err := url.Parse(fmt.Sprint(sh["url"])); err != nil || u.Path != "/shared/"+fmt.Sprint(sh["token"]) {
		e.t.Errorf("share url %v", sh["url"])
	}
	st, _ = r.json("GET", "/cases/"+id+"/brand-shares", a.admin, nil)
	must("brand shares", st, 200)
	st, _ = r.json("GET", "/cases/"+id+"/brand-shares", a.worker, nil)
	must("brand shares as worker", st, 403)
	st, _ = r.json("POST", "/cases/"+id+"/brand-shares/"+fmt.Sprint(sh["id"])+"/revoke", a.admin, nil)
	must("revoke share", st, 204)
	st, _ = r.json("POST", "/cases/"+id+"/brand-shares/"+fmt.Sprint(sh["id"])+"/revoke", a.admin, nil)
	must("revoke share twice", st, 404)
	st, _ = r.json("POST", "/cases/"+id+"/brand-shares/"+fmt.Sprint(sh["id"])+"/revoke", a.officer, nil)
	must("revoke share as officer", st, 403, 404)

	p := &recorder{e: e, host: platformHost}
	ilo := e.login(platformHost, map[string]string{"email": "ilo@platform.example", "password": demoPW})
	st, _ = p.json("GET", "/platform/brands?from=2024-01&to=2030-12", ilo, nil)
	must("brand view", st, 200)
	st, _ = p.json("GET", "/platform/brands?by=title", ilo, nil)
	must("brand view bad", st, 422)
	st, _ = p.json("GET", "/platform/brands", "", nil)
	must("brand view signed out", st, 401)
	r.log = append(r.log, p.log...)
}
