require ["fileinto", "date"];
if date :is "x-missing" "year" "2020" {
    fileinto "yes";
} else {
    fileinto "no";
}
