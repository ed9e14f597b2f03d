package lifecycle

import "time"

// Day is the length of a lifecycle day in production.
const Day = 24 * time.Hour

// Calendar turns a rule's days into instants. S3 adds the days to the
// reference time (creation, or the moment a version became noncurrent)
// and rounds the sum up to the next midnight UTC; a Calendar does the
// same with days of DayLength, so a test can make a day last seconds.
type Calendar struct {
	// DayLength is the length of a day; zero means Day (24 hours).
	DayLength time.Duration
}

// day is the calendar's day length.
func (c Calendar) day() time.Duration {
	if c.DayLength <= 0 {
		return Day
	}
	return c.DayLength
}

// After returns the first midnight at or after t plus days days. With
// 24-hour days, midnight is 00:00 UTC (time's zero instant is a UTC
// midnight, so truncation to whole days lands on one); with shorter test
// days, it is the next multiple of the day length.
func (c Calendar) After(t time.Time, days int) time.Time {
	d := c.day()
	end := t.UTC().Add(time.Duration(days) * d)
	mid := end.Truncate(d)
	if mid.Equal(end) {
		return mid
	}
	return mid.Add(d)
}
