require ["fileinto", "date"];
if date :is "date" "year" "2020" {
    fileinto "yes";
} else {
    fileinto "no";
}
