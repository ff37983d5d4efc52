require ["fileinto"];
if header :is "Subject" "Café crèmeà bientôt" {
    fileinto "yes";
} else {
    fileinto "no";
}
