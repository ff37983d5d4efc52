require ["fileinto", "date"];
if date :originalzone :is "date" "zone" "-0500" {
    fileinto "yes";
} else {
    fileinto "no";
}
