module czisk.example/go_json

go 1.21
