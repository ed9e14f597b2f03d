package config

import "testing"

func TestScannerRate(t *testing.T) {
	tests := []struct {
		value   string
		want    float64
		wantErr bool
	}{
		{"", DefaultScannerRate, false},
		{"25", 25, false},
		{"0.5", 0.5, false},
		{"0", 0, false},
		{"-1", 0, true},
		{"NaN", 0, true},
		{"fast", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			s := Defaults()
			s.Drives = []string{"/data"}
			var err error
			if tt.value != "" {
				err = s.ApplyEnv(map[string]string{EnvScannerRate: tt.value})
			}
			if err == nil {
				err = s.Validate()
			}
			if (err != nil) != tt.wantErr || !tt.wantErr && s.ScannerRate != tt.want {
				t.Errorf("got %v, %v; want %v, error %v", s.ScannerRate, err, tt.want, tt.wantErr)
			}
		})
	}
}
