package cmd

// connRefused reports whether err is a refused connect: on Windows,
// WSAECONNREFUSED.
func connRefused(err error) bool { return refusedConnect(err, wsaeconnrefused) }
