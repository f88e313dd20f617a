package web_test

// exerciseTags calls the tag vocabulary operations (issue 25) for the
// document check: list, add (and its refusals), retire.
func exerciseTags(r *recorder, a apiActors, must statusCheck) {
	st, _ := r.json("GET", "/admin/tags", a.admin, nil)
	must("tags", st, 200)
	st, _ = r.json("GET", "/admin/tags", a.branch, nil)
	must("tags as branch admin", st, 403)
	st, _ = r.json("GET", "/admin/tags", "", nil)
	must("tags signed out", st, 401)
	st, _ = r.json("POST", "/admin/tags", a.admin, map[string]any{"slug": "lembur_paksa_doc", "name_id": "Lembur paksa", "name_en": "Forced overtime"})
	must("add tag", st, 201)
	st, _ = r.json("POST", "/admin/tags", a.admin, map[string]any{"slug": "lembur_paksa_doc", "name_id": "Lembur paksa", "name_en": "Forced overtime"})
	must("add tag twice", st, 409)
	st, _ = r.json("POST", "/admin/tags", a.admin, map[string]any{"slug": "Bad Slug", "name_id": "", "name_en": "x"})
	must("add tag bad", st, 422)
	st, _ = r.json("POST", "/admin/tags", a.officer, map[string]any{"slug": "dilarang", "name_id": "x", "name_en": "x"})
	must("add tag as officer", st, 403)
	st, _ = r.json("POST", "/admin/tags/lembur_paksa_doc/retire", a.branch, nil)
	must("retire tag as branch admin", st, 403)
	st, _ = r.json("POST", "/admin/tags/lembur_paksa_doc/retire", a.admin, nil)
	must("retire tag", st, 204)
	st, _ = r.json("POST", "/admin/tags/lembur_paksa_doc/retire", a.admin, nil)
	must("retire tag twice", st, 404)
}
