require ["fileinto", "date"];
if date :originalzone :is "date" "julian" "58908" {
    fileinto "yes";
} else {
    fileinto "no";
}
