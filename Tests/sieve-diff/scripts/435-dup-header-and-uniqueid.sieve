require ["fileinto", "duplicate"];
if duplicate :header "X-A" :uniqueid "b" {
    fileinto "yes";
} else {
    fileinto "no";
}
