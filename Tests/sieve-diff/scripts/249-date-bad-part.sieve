require ["fileinto", "date"];
if date :is "date" "fortnight" "1" {
    fileinto "yes";
} else {
    fileinto "no";
}
