package integration

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestBucketConfigurationsNotKept: the bucket configurations Hoard does
// not keep answer as an S3 bucket without one (GET: S3's "not configured"
// error or its empty document; DELETE: 204), so tools probing a bucket's
// settings see an ordinary bucket; a PUT is refused with NotImplemented
// (501) unless it asks for what the bucket already is; a missing bucket
// is NoSuchBucket whatever the request.
func TestBucketConfigurationsNotKept(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		b := aws.String(e.bucket(t))
		id := aws.String("conf-1")
		c := ctx(t)
		s := e.s3
		refused := []struct {
			op   string
			call func() error
			code string
			st   int
		}{
			{"GetBucketWebsite", func() error { _, err := s.GetBucketWebsite(c, &s3.GetBucketWebsiteInput{Bucket: b}); return err }, "NoSuchWebsiteConfiguration", 404},
			{"GetBucketReplication", func() error {
				_, err := s.GetBucketReplication(c, &s3.GetBucketReplicationInput{Bucket: b})
				return err
			}, "ReplicationConfigurationNotFoundError", 404},
			{"GetBucketEncryption", func() error { _, err := s.GetBucketEncryption(c, &s3.GetBucketEncryptionInput{Bucket: b}); return err }, "ServerSideEncryptionConfigurationNotFoundError", 404},
			{"GetPublicAccessBlock", func() error {
				_, err := s.GetPublicAccessBlock(c, &s3.GetPublicAccessBlockInput{Bucket: b})
				return err
			}, "NoSuchPublicAccessBlockConfiguration", 404},
			{"GetBucketAnalyticsConfiguration", func() error {
				_, err := s.GetBucketAnalyticsConfiguration(c, &s3.GetBucketAnalyticsConfigurationInput{Bucket: b, Id: id})
				return err
			}, "NoSuchConfiguration", 404},
			{"GetBucketMetricsConfiguration", func() error {
				_, err := s.GetBucketMetricsConfiguration(c, &s3.GetBucketMetricsConfigurationInput{Bucket: b, Id: id})
				return err
			}, "NoSuchConfiguration", 404},
			{"GetBucketInventoryConfiguration", func() error {
				_, err := s.GetBucketInventoryConfiguration(c, &s3.GetBucketInventoryConfigurationInput{Bucket: b, Id: id})
				return err
			}, "NoSuchConfiguration", 404},
			{"GetBucketIntelligentTieringConfiguration", func() error {
				_, err := s.GetBucketIntelligentTieringConfiguration(c, &s3.GetBucketIntelligentTieringConfigurationInput{Bucket: b, Id: id})
				return err
			}, "NoSuchConfiguration", 404},
			{"PutBucketWebsite", func() error {
				_, err := s.PutBucketWebsite(c, &s3.PutBucketWebsiteInput{Bucket: b, WebsiteConfiguration: &types.WebsiteConfiguration{
					IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")}}})
				return err
			}, "NotImplemented", 501},
			{"PutBucketEncryption", func() error {
				_, err := s.PutBucketEncryption(c, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
					Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}}}})
				return err
			}, "NotImplemented", 501},
			{"PutBucketRequestPayment Requester", func() error {
				_, err := s.PutBucketRequestPayment(c, &s3.PutBucketRequestPaymentInput{Bucket: b, RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerRequester}})
				return err
			}, "NotImplemented", 501},
			{"PutBucketAccelerateConfiguration Enabled", func() error {
				_, err := s.PutBucketAccelerateConfiguration(c, &s3.PutBucketAccelerateConfigurationInput{Bucket: b, AccelerateConfiguration: &types.AccelerateConfiguration{Status: types.BucketAccelerateStatusEnabled}})
				return err
			}, "NotImplemented", 501},
			{"PutBucketLogging enabled", func() error {
				_, err := s.PutBucketLogging(c, &s3.PutBucketLoggingInput{Bucket: b, BucketLoggingStatus: &types.BucketLoggingStatus{
					LoggingEnabled: &types.LoggingEnabled{TargetBucket: b, TargetPrefix: aws.String("logs/")}}})
				return err
			}, "NotImplemented", 501},
			{"PutBucketNotificationConfiguration with a queue", func() error {
				_, err := s.PutBucketNotificationConfiguration(c, &s3.PutBucketNotificationConfigurationInput{Bucket: b, NotificationConfiguration: &types.NotificationConfiguration{
					QueueConfigurations: []types.QueueConfiguration{{QueueArn: aws.String("arn:aws:sqs:us-east-1:1:q"), Events: []types.Event{types.EventS3ObjectCreated}}}}})
				return err
			}, "NotImplemented", 501},
			{"GetBucketWebsite of a missing bucket", func() error {
				_, err := s.GetBucketWebsite(c, &s3.GetBucketWebsiteInput{Bucket: aws.String("missing-" + *b)})
				return err
			}, "NoSuchBucket", 404},
			{"PutBucketRequestPayment of a missing bucket", func() error {
				_, err := s.PutBucketRequestPayment(c, &s3.PutBucketRequestPaymentInput{Bucket: aws.String("missing-" + *b), RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerBucketOwner}})
				return err
			}, "NoSuchBucket", 404},
		}
		for _, r := range refused {
			wantAWSError(t, r.op, r.call(), r.code, r.st)
		}
		accepted := []struct {
			op   string
			call func() error
		}{
			{"PutBucketRequestPayment BucketOwner", func() error {
				_, err := s.PutBucketRequestPayment(c, &s3.PutBucketRequestPaymentInput{Bucket: b, RequestPaymentConfiguration: &types.RequestPaymentConfiguration{Payer: types.PayerBucketOwner}})
				return err
			}},
			{"PutBucketAccelerateConfiguration Suspended", func() error {
				_, err := s.PutBucketAccelerateConfiguration(c, &s3.PutBucketAccelerateConfigurationInput{Bucket: b, AccelerateConfiguration: &types.AccelerateConfiguration{Status: types.BucketAccelerateStatusSuspended}})
				return err
			}},
			{"PutBucketLogging disabled", func() error {
				_, err := s.PutBucketLogging(c, &s3.PutBucketLoggingInput{Bucket: b, BucketLoggingStatus: &types.BucketLoggingStatus{}})
				return err
			}},
			{"PutBucketNotificationConfiguration empty", func() error {
				_, err := s.PutBucketNotificationConfiguration(c, &s3.PutBucketNotificationConfigurationInput{Bucket: b, NotificationConfiguration: &types.NotificationConfiguration{}})
				return err
			}},
			{"DeleteBucketWebsite", func() error { _, err := s.DeleteBucketWebsite(c, &s3.DeleteBucketWebsiteInput{Bucket: b}); return err }},
			{"DeleteBucketReplication", func() error {
				_, err := s.DeleteBucketReplication(c, &s3.DeleteBucketReplicationInput{Bucket: b})
				return err
			}},
			{"DeleteBucketEncryption", func() error {
				_, err := s.DeleteBucketEncryption(c, &s3.DeleteBucketEncryptionInput{Bucket: b})
				return err
			}},
			{"DeleteBucketOwnershipControls", func() error {
				_, err := s.DeleteBucketOwnershipControls(c, &s3.DeleteBucketOwnershipControlsInput{Bucket: b})
				return err
			}},
			{"DeletePublicAccessBlock", func() error {
				_, err := s.DeletePublicAccessBlock(c, &s3.DeletePublicAccessBlockInput{Bucket: b})
				return err
			}},
		}
		for _, a := range accepted {
			must(t, a.op, a.call())
		}
		pay, err := s.GetBucketRequestPayment(c, &s3.GetBucketRequestPaymentInput{Bucket: b})
		must(t, "GetBucketRequestPayment", err)
		if pay.Payer != types.PayerBucketOwner {
			t.Errorf("GetBucketRequestPayment: got %q, want BucketOwner", pay.Payer)
		}
		logging, err := s.GetBucketLogging(c, &s3.GetBucketLoggingInput{Bucket: b})
		must(t, "GetBucketLogging", err)
		if logging.LoggingEnabled != nil {
			t.Errorf("GetBucketLogging: got %+v, want logging off", logging.LoggingEnabled)
		}
		analytics, err := s.ListBucketAnalyticsConfigurations(c, &s3.ListBucketAnalyticsConfigurationsInput{Bucket: b})
		must(t, "ListBucketAnalyticsConfigurations", err)
		metrics, err := s.ListBucketMetricsConfigurations(c, &s3.ListBucketMetricsConfigurationsInput{Bucket: b})
		must(t, "ListBucketMetricsConfigurations", err)
		inventory, err := s.ListBucketInventoryConfigurations(c, &s3.ListBucketInventoryConfigurationsInput{Bucket: b})
		must(t, "ListBucketInventoryConfigurations", err)
		tiering, err := s.ListBucketIntelligentTieringConfigurations(c, &s3.ListBucketIntelligentTieringConfigurationsInput{Bucket: b})
		must(t, "ListBucketIntelligentTieringConfigurations", err)
		if n := len(analytics.AnalyticsConfigurationList) + len(metrics.MetricsConfigurationList) + len(inventory.InventoryConfigurationList) +
			len(tiering.IntelligentTieringConfigurationList); n != 0 || aws.ToBool(analytics.IsTruncated) || aws.ToBool(tiering.IsTruncated) {
			t.Errorf("configuration listings: got %d configurations, want none and not truncated", n)
		}
		resp, body := e.do(t, http.MethodGet, *b, "", query("metrics", ""), nil, nil)
		wantStatus(t, "GET ?metrics", resp, body, http.StatusOK)
		if want := `<ListMetricsConfigurationsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated></ListMetricsConfigurationsResult>`; !strings.Contains(string(body), want) {
			t.Errorf("GET ?metrics: got %s, want %s", body, want)
		}
		resp, body = e.do(t, http.MethodPut, *b, "", query("logging", ""), nil, []byte("<BucketLoggingStatus><LoggingEnabled>"))
		wantError(t, "PUT ?logging with broken XML", resp, body, http.StatusBadRequest, "MalformedXML")
	})
}
