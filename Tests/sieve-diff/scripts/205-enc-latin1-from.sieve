require ["fileinto"];
if header :contains "From" "François" {
    fileinto "yes";
} else {
    fileinto "no";
}
