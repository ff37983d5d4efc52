require ["fileinto", "date"];
if date :originalzone :is "date" "date" "2020-02-29" {
    fileinto "yes";
} else {
    fileinto "no";
}
