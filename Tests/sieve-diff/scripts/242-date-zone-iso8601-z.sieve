require ["fileinto", "date"];
if date :zone "+0000" :is "date" "iso8601" "2020-03-01T04:30:15Z" {
    fileinto "yes";
} else {
    fileinto "no";
}
