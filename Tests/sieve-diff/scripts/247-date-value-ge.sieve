require ["fileinto", "date", "relational"];
if date :zone "+0100" :value "ge" "date" "time" "14:00:00" {
    fileinto "yes";
} else {
    fileinto "no";
}
