//go:build race

package cmd

// raceDetector reports a -race build, whose runtime maps terabytes of
// address space for its shadow memory: an address-space limit kills it.
const raceDetector = true
