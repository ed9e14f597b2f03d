package sigv2

import "testing"

func TestVerifyPost(t *testing.T) {
	cred := Credentials{AccessKey: "AKV2", SecretKey: "v2/secret"}
	v := &Verifier{Lookup: func(k string) (Credentials, bool) { return cred, k == cred.AccessKey }}
	const policy = "eyJleHBpcmF0aW9uIjoiMjAzMC0wMS0wMVQwMDowMDowMFoifQ=="
	tests := []struct {
		name, key, sig, policy, want string
	}{
		{"valid", "AKV2", SignPost(policy, cred.SecretKey), policy, ""},
		{"other policy", "AKV2", SignPost(policy, cred.SecretKey), policy + "x", "SignatureDoesNotMatch"},
		{"other secret", "AKV2", SignPost(policy, "nope"), policy, "SignatureDoesNotMatch"},
		{"not base64", "AKV2", "%%%", policy, "SignatureDoesNotMatch"},
		{"unknown key", "NOBODY", SignPost(policy, cred.SecretKey), policy, "InvalidAccessKeyId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.VerifyPost(tt.key, tt.sig, tt.policy)
			if code, _ := Code(err); code != tt.want {
				t.Fatalf("got %v, want code %q", err, tt.want)
			}
		})
	}
}
