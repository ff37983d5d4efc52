require ["fileinto", "date"];
if date :originalzone :is "date" "weekday" "6" {
    fileinto "yes";
} else {
    fileinto "no";
}
