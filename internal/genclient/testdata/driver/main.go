// Command driver uses only the client oapi-codegen generated from Suara's
// OpenAPI document (package client): a worker registers (register, then
// register/verify with the code the union's SMS gateway carried, which the
// test's fake gateway hands out at -codes), files a case, adds a photo,
// writes a follow-up and reads the case back. Its last line is what it saw,
// as JSON. TestGeneratedClient builds and runs it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"suaraclient/client"
)

func main() {
	server := flag.String("server", "", "API base URL")
	host := flag.String("host", "", "the union's host (picks the tenant)")
	codes := flag.String("codes", "", "the test gateway's URL that answers the code sent to ?to=")
	phone := flag.String("phone", "", "worker's phone, +62… form")
	password := flag.String("password", "", "worker's new password")
	flag.Parse()
	ctx := context.Background()

	token := ""
	c, err := client.NewClientWithResponses(*server, client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Host = *host
		r.Header.Set("Accept-Language", "en")
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		return nil
	}))
	check(err)

	name, gender, member, sector, workplace := "Sari", "female", false, "garment", "PT Kain Sejahtera"
	reg, err := c.RegisterWithResponse(ctx, client.RegisterJSONRequestBody{
		Name: &name, Phone: phone, Password: password, Gender: &gender,
		IsMember: &member, Sector: &sector, WorkplaceName: &workplace,
	})
	check(err)
	if reg.StatusCode() != http.StatusAccepted {
		fail("register", reg.StatusCode(), reg.Body)
	}
	code := smsCode(*codes, *phone)
	ver, err := c.VerifyRegistrationWithResponse(ctx, client.VerifyRegistrationJSONRequestBody{Phone: *phone, Code: code})
	check(err)
	if ver.JSON201 == nil {
		fail("verify registration", ver.StatusCode(), ver.Body)
	}
	token = ver.JSON201.Token
	userID := ver.JSON201.User.Id.String()

	title := "Upah lembur tidak dibayar"
	filed, err := c.FileCaseWithResponse(ctx, &client.FileCaseParams{}, client.FileCaseJSONRequestBody{
		Type:        client.FilingTypeComplaint,
		Title:       &title,
		Description: "Sejak bulan lalu lembur hari Sabtu tidak dibayar sama sekali.",
	})
	check(err)
	if filed.JSON201 == nil {
		fail("file case", filed.StatusCode(), filed.Body)
	}
	id := filed.JSON201.Id.String()

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("file", "slip.jpg")
	check(err)
	img := image.NewRGBA(image.Rect(0, 0, 32, 32))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	img.Set(0, 0, color.White)
	check(jpeg.Encode(part, img, nil))
	check(mw.Close())
	ev, err := c.AddCaseEvidenceWithBodyWithResponse(ctx, id, mw.FormDataContentType(), &body)
	check(err)
	if ev.JSON201 == nil {
		fail("add evidence", ev.StatusCode(), ev.Body)
	}

	msg, err := c.PostCaseMessageWithResponse(ctx, id, client.PostCaseMessageJSONRequestBody{Body: "Saya punya slip gaji tiga bulan terakhir."})
	check(err)
	if msg.JSON201 == nil {
		fail("post message", msg.StatusCode(), msg.Body)
	}

	got, err := c.GetCaseWithResponse(ctx, id)
	check(err)
	if got.JSON200 == nil {
		fail("get case", got.StatusCode(), got.Body)
	}
	k := got.JSON200
	messages := 0
	for _, e := range deref(k.Events) {
		if e.Kind == msg.JSON201.Kind && e.Seq == msg.JSON201.Seq {
			messages++
		}
	}
	out := map[string]any{
		"UserID":     userID,
		"CaseID":     k.Id.String(),
		"Reference":  k.Reference,
		"Status":     k.Status,
		"EvidenceID": ev.JSON201.Id.String(),
		"Messages":   messages,
		"Evidence":   len(deref(k.Evidence)),
	}
	for _, f := range deref(k.Evidence) {
		if f.Id == ev.JSON201.Id {
			out["EvidenceMime"] = f.Mime
		}
	}
	check(json.NewEncoder(os.Stdout).Encode(out))
}

// smsCode waits (up to 10s) for the code the gateway carried to phone.
func smsCode(codes, phone string) string {
	for i := 0; ; i++ {
		resp, err := http.Get(codes + "?to=" + url.QueryEscape(phone))
		check(err)
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		check(err)
		if resp.StatusCode == http.StatusOK {
			return strings.TrimSpace(string(b))
		}
		if i >= 200 {
			fail("code from the gateway", resp.StatusCode, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func deref[T any](p *[]T) []T {
	if p == nil {
		return nil
	}
	return *p
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func fail(step string, status int, body []byte) {
	fmt.Fprintf(os.Stderr, "%s: HTTP %d: %s\n", step, status, body)
	os.Exit(1)
}
