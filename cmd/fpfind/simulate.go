package main

var simulateCommand = &command{name: "simulate", synopsis: "simulate [flags] NETWORK"}
