require ["fileinto"];
if header :contains ["To", "Cc"] "carol" {
    fileinto "yes";
} else {
    fileinto "no";
}
