module wasifiles

go 1.21
