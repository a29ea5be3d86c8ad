package kakao

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
)

// ConsentItem is one of the user's consent items (Kakao's "동의 내역 확인하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#check-consent).
type ConsentItem struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	Type        string `json:"type"` // PRIVACY or SERVICE
	Using       bool   `json:"using"`
	Agreed      bool   `json:"agreed"`
	// Revocable is Kakao's answer only when Agreed; nil otherwise.
	Revocable *bool `json:"revocable,omitempty"`
}

// ConsentItems is the answer of GET /v2/user/scopes and of POST
// /v2/user/revoke/scopes: the user and their consent to each item.
type ConsentItems struct {
	UserID int64         `json:"id"`
	Scopes []ConsentItem `json:"scopes"`
	// Raw is Kakao's JSON as received, every field kept.
	Raw json.RawMessage `json:"-"`
}

// Scopes lists the user's consent to the app's items, and to items agreed
// to earlier that the app no longer uses (GET /v2/user/scopes).
func (a *API) Scopes(ctx context.Context) (*ConsentItems, error) {
	return a.consentItems(ctx, http.MethodGet, "/v2/user/scopes", nil)
}

// RevokeScopes withdraws the user's consent to the items ids, all or none
// (POST /v2/user/revoke/scopes), and returns the consent that remains.
// Kakao refuses an item set as required (-3) and one the user has not
// agreed to (-2).
func (a *API) RevokeScopes(ctx context.Context, ids []string) (*ConsentItems, error) {
	// Kakao takes a JSON array (Kakao's "동의 철회하기",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#revoke-consent).
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	return a.consentItems(ctx, http.MethodPost, "/v2/user/revoke/scopes", url.Values{"scopes": {string(list)}})
}

func (a *API) consentItems(ctx context.Context, method, path string, form url.Values) (*ConsentItems, error) {
	var raw json.RawMessage
	if err := a.callForm(ctx, method, path, form, &raw); err != nil {
		return nil, err
	}
	items := &ConsentItems{Raw: raw}
	if err := json.Unmarshal(raw, items); err != nil {
		return nil, &UnexpectedResponseError{HTTPStatus: http.StatusOK, Reason: "the answer is not a list of consent items", BaseURL: a.base(), endpoint: path}
	}
	return items, nil
}
