// One browser-driven test at a time: each starts the service and drives Chromium, and two of them
// side by side on a two-core CI machine (beside the service's own jobs) pushed single page loads past
// a minute. Run in sequence the whole project takes a couple of minutes.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
