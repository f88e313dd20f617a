package web_test

import "fmt"

// register signs a worker up through the two documented calls and returns
// the verification's reply (token and user).
func (r *recorder) register(must statusCheck, name, phone string) map[string]any {
	r.e.t.Helper()
	st, _ := r.json("POST", "/auth/register", "", map[string]any{"name": name, "phone": phone, "password": "benang-merah-2026"})
	must("register", st, 202)
	p := normalisedPhone(r.e.t, phone)
	st, _ = r.json("POST", "/auth/register/verify", "", map[string]any{"phone": p, "code": "000000x"})
	must("verify bad code", st, 422)
	st, reg := r.json("POST", "/auth/register/verify", "", map[string]any{"phone": p, "code": r.gw.code(r.e.t, p)})
	must("verify", st, 201)
	return reg
}

// exerciseAccounts drives password recovery, the in-person reset and the
// member check.
func exerciseAccounts(r *recorder, a apiActors, must statusCheck) {
	t := r.e.t
	reg := r.register(must, "Lupa", "081277770055")
	user := reg["user"].(map[string]any)
	id := fmt.Sprint(user["id"])
	phone := fmt.Sprint(user["phone"])
	st, _ := r.json("POST", "/auth/password/forgot", "", map[string]any{"phone": phone})
	must("forgot", st, 202)
	st, _ = r.json("POST", "/auth/password/forgot", "", map[string]any{"phone": "12"})
	must("forgot bad phone", st, 422)
	st, _ = r.json("POST", "/auth/password/reset", "", map[string]any{"phone": phone, "code": "123", "password": "x"})
	must("reset bad", st, 422)
	st, _ = r.json("POST", "/auth/password/reset", "", map[string]any{"phone": phone, "code": r.gw.code(t, phone), "password": "benang-hijau-2026"})
	must("reset", st, 204)

	st, _ = r.json("POST", "/users/"+id+"/password-reset-code", a.officer, nil)
	must("staff reset as officer", st, 403)
	st, _ = r.json("POST", "/users/"+a.ids["spn"]+"/password-reset-code", a.admin, nil)
	must("staff reset of nobody", st, 404)
	st, _ = r.json("POST", "/users/"+id+"/password-reset-code", a.admin, nil)
	must("staff reset", st, 201)

	st, _ = r.json("POST", "/users/"+id+"/verify-member", a.admin, map[string]any{"member_number": "X-1"})
	must("verify member mismatch", st, 422)
	st, _ = r.json("POST", "/users/"+id+"/verify-member", a.worker, map[string]any{"member_number": "X-1"})
	must("verify member as worker", st, 403)
	st, _ = r.json("POST", "/users/"+id+"/verify-member", a.admin, nil)
	must("verify member without body", st, 415)
	st, _ = r.json("POST", "/users/"+a.ids["spn"]+"/verify-member", a.admin, map[string]any{"member_number": "X-1"})
	must("verify member of nobody", st, 404)
	if err := r.e.db.Super.QueryRowContext(t.Context(), "UPDATE users SET member_number = 'SPN-55' WHERE id = ? RETURNING id", id).Scan(new(string)); err != nil {
		t.Fatal(err)
	}
	st, _ = r.json("POST", "/users/"+id+"/verify-member", a.admin, map[string]any{"member_number": "spn-55"})
	must("verify member", st, 200)
}
